using System.Collections.Frozen;
using System.Runtime.CompilerServices;
using EdgeGw.Api.Messages;
using EdgeGw.Api.Responses;
using EdgeGw.Auth;

namespace EdgeGw.Api;

/// <summary>
/// The gateway's only middleware: exact-path routing to a handler, with auth, 404/405 and
/// unexpected failures answered in the OpenAI envelope (ASP.NET routing would answer those with
/// empty bodies).
/// </summary>
internal sealed partial class RequestDispatcher(GatewayRuntime runtime, ILogger<RequestDispatcher> logger)
{
    private delegate Task Handler(HttpContext context, GatewayState state);

    // What a route runs: the model routes return pooled ValueTasks, as RunAsync does; a Task handler is wrapped once,
    // when the table is built.
    private delegate ValueTask RouteHandler(HttpContext context, GatewayState state);

    /// <summary>
    /// Hashes and compresses the UI's files off the request path once <paramref name="after"/> has passed, so the first
    /// /ui visitor does not wait for Brotli's best level. Not during start-up itself: there it took the second core
    /// (tens of ms, and the first SHA-256 loads OpenSSL) from the database and host build on the start's critical path.
    /// </summary>
    public Task PrepareUiAsync(TimeSpan after) =>
        runtime.Current.Ui.Disabled ? Task.CompletedTask : Task.Run(async () =>
        {
            await Task.Delay(after);
            _ = Ui.UiAssets.Embedded;
        });

    /// <summary>The envelope a route's clients parse errors in.</summary>
    private enum ErrorFormat : byte { OpenAi, Anthropic }

    /// <param name="Inline">
    /// Runs on the thread that read the request when socket I/O is inline (<see cref="InlineIo"/>): only routes that
    /// never wait on the database or a lock held across I/O. Every other route hops to the thread pool first.
    /// </param>
    private sealed record Route(string Method, RouteHandler Run, bool Public = false, ErrorFormat Errors = ErrorFormat.OpenAi, bool MasterOnly = false,
        bool Inline = false)
    {
        public Route(string method, Handler handler, bool Public = false, ErrorFormat Errors = ErrorFormat.OpenAi, bool MasterOnly = false, bool Inline = false)
            : this(method, (context, state) => new ValueTask(handler(context, state)), Public, Errors, MasterOnly, Inline)
        {
        }
    }

    private static readonly FrozenDictionary<string, Route> Routes = new Dictionary<string, Route>(StringComparer.Ordinal)
    {
        ["/v1/chat/completions"] = new("POST", ChatCompletionsEndpoint.HandleAsync, Inline: true),
        ["/chat/completions"] = new("POST", ChatCompletionsEndpoint.HandleAsync, Inline: true),
        ["/v1/embeddings"] = new("POST", EmbeddingsEndpoint.HandleAsync, Inline: true),
        ["/embeddings"] = new("POST", EmbeddingsEndpoint.HandleAsync, Inline: true),
        ["/v1/completions"] = new("POST", Completions.CompletionsEndpoint.HandleAsync, Inline: true),
        ["/completions"] = new("POST", Completions.CompletionsEndpoint.HandleAsync, Inline: true),
        ["/v1/messages"] = new("POST", MessagesEndpoint.HandleAsync, Errors: ErrorFormat.Anthropic, Inline: true),
        ["/v1/messages/count_tokens"] = new("POST", CountTokensEndpoint.HandleAsync, Errors: ErrorFormat.Anthropic, Inline: true),
        ["/v1/responses"] = new("POST", Responses.ResponsesEndpoint.HandleAsync, Inline: true),
        ["/responses"] = new("POST", Responses.ResponsesEndpoint.HandleAsync, Inline: true),
        ["/v1/models"] = new("GET", ModelsEndpoint.HandleAsync, Inline: true),
        ["/models"] = new("GET", ModelsEndpoint.HandleAsync, Inline: true),
        ["/health/liveliness"] = new("GET", HealthEndpoints.LivenessAsync, Public: true, Inline: true),
        ["/health/liveness"] = new("GET", HealthEndpoints.LivenessAsync, Public: true, Inline: true),
        ["/health/readiness"] = new("GET", HealthEndpoints.ReadinessAsync, Public: true),
        ["/metrics"] = new("GET", Observability.MetricsEndpoint.HandleAsync, Public: true),
        ["/health"] = new("GET", Ops.DeploymentHealth.HandleAsync, MasterOnly: true),
        ["/model/info"] = new("GET", Ops.ModelInfoEndpoint.HandleAsync),
        ["/v1/model/info"] = new("GET", Ops.ModelInfoEndpoint.HandleAsync),
        ["/v2/model/info"] = new("GET", Ops.ModelInfoEndpoint.HandleV2Async),
        ["/cache/ping"] = new("GET", Cache.CacheEndpoints.PingAsync),
        ["/cache/delete"] = new("POST", Cache.CacheEndpoints.DeleteAsync, MasterOnly: true),
        ["/cache/flushall"] = new("POST", Cache.CacheEndpoints.FlushAllAsync, MasterOnly: true),
    }.Concat(Admin.AdminRoutes.All.Select(r => KeyValuePair.Create(r.Path, new Route(r.Method, new Handler(r.Handler), MasterOnly: r.MasterOnly))))
    .ToFrozenDictionary(StringComparer.Ordinal);

    // The routes with a response id in the path, matched after the exact ones.
    private static readonly Route ResponseGet = new("GET", ResponseResourceEndpoints.GetAsync);
    private static readonly Route ResponseDelete = new("DELETE", ResponseResourceEndpoints.DeleteAsync);
    private static readonly Route ResponseOther = new("GET, DELETE", ResponseResourceEndpoints.GetAsync);
    private static readonly Route ResponseInputItems = new("GET", ResponseResourceEndpoints.InputItemsAsync);
    private static readonly Route ResponseCancel = new("POST", ResponseResourceEndpoints.CancelAsync);

    private static Route? ResponseRoute(string path, string method) => ResponseResourceRoute.Match(path) switch
    {
        ResponseResourceRoute.Kind.Response => method switch { "GET" => ResponseGet, "DELETE" => ResponseDelete, _ => ResponseOther },
        ResponseResourceRoute.Kind.InputItems => ResponseInputItems,
        ResponseResourceRoute.Kind.Cancel => ResponseCancel,
        _ => null,
    };

    // The admin UI: its session API (which checks its own credentials) and its files; GET /ui/login is the page itself.
    private static readonly Route UiLogin = new("POST", Ui.UiSessionEndpoints.LoginAsync, Public: true);
    private static readonly Route UiSession = new("GET", Ui.UiSessionEndpoints.SessionAsync, Public: true);
    private static readonly Route UiLogout = new("POST", Ui.UiSessionEndpoints.LogoutAsync, Public: true);
    private static readonly Route UiFile = new("GET", Ui.UiAssetEndpoint.HandleAsync, Public: true);
    private static readonly Route UiFileHead = new("HEAD", Ui.UiAssetEndpoint.HandleAsync, Public: true);

    private static Route? UiRoute(string path, string method) => path switch
    {
        "/ui/login" => method switch { "GET" => UiFile, "HEAD" => UiFileHead, _ => UiLogin },
        "/ui/session" => UiSession,
        "/ui/logout" => UiLogout,
        "/ui" => method == "HEAD" ? UiFileHead : UiFile,
        _ when path.StartsWith("/ui/", StringComparison.Ordinal) => method == "HEAD" ? UiFileHead : UiFile,
        _ => null,
    };

    // PATCH /model/{id}/update: LiteLLM's partial model update (admin only, as /model/new).
    private static readonly Route ModelPatch = new("PATCH", Admin.ModelUpdateEndpoints.PatchAsync, MasterOnly: true);

    private static Route? ModelRoute(string path) => Admin.ModelUpdateRoute.Matches(path) ? ModelPatch : null;

    // The /credentials routes: one path serves two methods, and names sit in the path.
    private static readonly Route CredentialList = new("GET", Admin.CredentialEndpoints.ListAsync, MasterOnly: true);
    private static readonly Route CredentialCreate = new("POST", Admin.CredentialEndpoints.CreateAsync, MasterOnly: true);
    private static readonly Route CredentialCollectionOther = new("GET, POST", Admin.CredentialEndpoints.ListAsync, MasterOnly: true);
    private static readonly Route CredentialByName = new("GET", Admin.CredentialEndpoints.ByNameAsync, MasterOnly: true);
    private static readonly Route CredentialByModel = new("GET", Admin.CredentialEndpoints.ByModelAsync, MasterOnly: true);
    private static readonly Route CredentialUpdate = new("PATCH", Admin.CredentialEndpoints.UpdateAsync, MasterOnly: true);
    private static readonly Route CredentialDelete = new("DELETE", Admin.CredentialEndpoints.DeleteAsync, MasterOnly: true);
    private static readonly Route CredentialItemOther = new("PATCH, DELETE", Admin.CredentialEndpoints.UpdateAsync, MasterOnly: true);

    private static Route? CredentialRoute(string path, string method) => Admin.CredentialRoute.Match(path) switch
    {
        Admin.CredentialRoute.Kind.Collection => method switch { "GET" => CredentialList, "POST" => CredentialCreate, _ => CredentialCollectionOther },
        Admin.CredentialRoute.Kind.ByName => CredentialByName,
        Admin.CredentialRoute.Kind.ByModel => CredentialByModel,
        Admin.CredentialRoute.Kind.Item => method switch { "PATCH" => CredentialUpdate, "DELETE" => CredentialDelete, _ => CredentialItemOther },
        _ => null,
    };

    /// <summary>Every route: path, method, and whether its errors use Anthropic's envelope (for tests that cover them all); id routes with an example id.</summary>
    internal static IEnumerable<(string Path, string Method, bool AnthropicErrors)> All =>
        Routes.Select(r => (r.Key, r.Value.Method, r.Value.Errors == ErrorFormat.Anthropic))
            .Concat(from prefix in new[] { "/v1/responses/", "/responses/" }
                    from r in new[] { ("", ResponseGet), ("", ResponseDelete), ("/input_items", ResponseInputItems), ("/cancel", ResponseCancel) }
                    select (prefix + ResponseResourceRoute.ExampleId + r.Item1, r.Item2.Method, false))
            .Append(("/model/" + Admin.ModelUpdateRoute.ExampleId + "/update", ModelPatch.Method, false))
            .Concat(new[]
            {
                (Admin.CredentialRoute.Collection, CredentialList), (Admin.CredentialRoute.Collection, CredentialCreate),
                ("/credentials/by_name/" + Admin.CredentialRoute.ExampleName, CredentialByName),
                ("/credentials/by_model/" + Admin.CredentialRoute.ExampleName, CredentialByModel),
                ("/credentials/" + Admin.CredentialRoute.ExampleName, CredentialUpdate), ("/credentials/" + Admin.CredentialRoute.ExampleName, CredentialDelete),
            }.Select(r => (r.Item1, r.Item2.Method, false)))
            .Concat([("/ui/login", UiLogin.Method, false), ("/ui/session", UiSession.Method, false), ("/ui/logout", UiLogout.Method, false)]);

    /// <summary>
    /// Kestrel awaits a Task: the request runs as a pooled ValueTask, turned into a Task only when it waits
    /// (80 B a request instead of an async Task method's 184-B box, which nothing pools).
    /// </summary>
    public Task DispatchAsync(HttpContext context)
    {
        var dispatch = RunAsync(context);
        if (!dispatch.IsCompletedSuccessfully)
            return dispatch.AsTask();
        dispatch.GetAwaiter().GetResult(); // returns the box of a request that finished before this line
        return Task.CompletedTask;
    }

    [AsyncMethodBuilder(typeof(Buffers.PooledValueTaskMethodBuilder))]
    private async ValueTask RunAsync(HttpContext context)
    {
        var telemetry = Observability.RequestTelemetry.Attach(context, runtime.Telemetry);
        context.Features.Set(runtime);
        var connection = context.Features.Get<ProtocolErrorBodies>();
        if (connection is not null)
            connection.AppHandling = true;
        var request = context.Request;
        var path = request.Path.Value ?? "/";
        if (path.Length > 1 && path[^1] == '/')
            path = path.TrimEnd('/');
        Route? route = null;
        // Deferred (data now, spans on a worker) unless forward_traceparent needs the attempt's live span id.
        telemetry.Trace = Observability.Otel.DeferredTrace.Start(request, path);
        var span = telemetry.Trace is null ? telemetry.Span = Observability.Otel.RequestSpan.Start(request, path) : null;
        try
        {
            if (!Routes.TryGetValue(path, out route)
                && (route = ResponseRoute(path, request.Method) ?? ModelRoute(path) ?? CredentialRoute(path, request.Method) ?? UiRoute(path, request.Method)) is null)
            {
                await ErrorWriter.WriteOpenAiAsync(context, GatewayError.NotFound(path));
                return;
            }
            if (!string.Equals(request.Method, route.Method, StringComparison.Ordinal))
            {
                context.Response.Headers.Allow = route.Method;
                await WriteErrorAsync(context, route, GatewayError.MethodNotAllowed(request.Method, path, route.Method));
                return;
            }
            if (!route.Inline && InlineIo.Enabled)
                await InlineIo.ToPool(); // off the socket threads for good: this route may wait on the database
            var state = runtime.Current;
            if (!route.Public)
            {
                var auth = Observability.Otel.StageSpan.Start(telemetry, "auth");
                var authError = state.Authenticator.Authenticate(context, out var caller);
                if (authError is null && route.MasterOnly && !caller.IsMaster)
                    authError = KeyErrors.AdminOnly;
                if (authError is not null)
                {
                    auth.Refuse(authError.Type);
                    await WriteErrorAsync(context, route, authError);
                    return;
                }
                auth.Dispose();
            }
            await route.Run(context, state);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; there is no one left to answer.
        }
        catch (BadHttpRequestException e)
        {
            await WriteErrorAsync(context, route, new GatewayError(e.StatusCode, e.Message, "invalid_request_error", e.StatusCode.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }
        catch (Exception e)
        {
            LogUnhandled(logger, e, request.Method, path);
            await WriteErrorAsync(context, route, GatewayError.Internal("Internal error in the gateway; it has been logged."));
        }
        finally
        {
            if (connection is not null)
                connection.AppHandling = false;
            if (span is not null || telemetry.Trace is not null)
                telemetry.EndSpans(context.Response);
        }
    }

    private static Task WriteErrorAsync(HttpContext context, Route? route, GatewayError error) =>
        route?.Errors == ErrorFormat.Anthropic ? AnthropicErrors.WriteAsync(context, error) : ErrorWriter.WriteOpenAiAsync(context, error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled failure on {Method} {Path}")]
    private static partial void LogUnhandled(ILogger logger, Exception exception, string method, string path);
}

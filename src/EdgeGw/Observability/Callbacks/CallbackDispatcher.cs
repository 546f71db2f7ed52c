using System.Collections.Immutable;
using EdgeGw.Api;
using EdgeGw.Config;
using EdgeGw.Storage;
using Microsoft.Extensions.Logging;

namespace EdgeGw.Observability.Callbacks;

/// <summary>
/// The configured callbacks: hands each finished request to every destination that wants its
/// outcome (success or failure). <see cref="Publish"/> is the request path's only cost.
/// </summary>
internal sealed class CallbackDispatcher : IAsyncDisposable
{
    private readonly ImmutableArray<Route> _routes;
    private readonly HttpClient _http;

    private readonly record struct Route(CallbackWorker Worker, bool OnSuccess, bool OnFailure);

    public CallbackDispatcher(CallbackSettings settings, ILogger log, CallbackOptions? options = null)
    {
        options ??= new CallbackOptions { QueueCapacity = settings.QueueCapacity ?? CallbackOptions.DefaultQueueCapacity };
        Settings = settings;
        // Its own client: a slow log sink must not hold connections the providers need.
        _http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }) { Timeout = TimeSpan.FromSeconds(10) };
        _routes = [.. settings.GenericApi.Select(c => new Route(
            new CallbackWorker(new GenericApiDestination(c, _http), options with
            {
                BatchSize = c.BatchSize ?? options.BatchSize,
                FlushInterval = c.FlushInterval ?? options.FlushInterval,
            }, log), c.OnSuccess, c.OnFailure)), .. LangfuseRoute(settings.Langfuse, _http, options, log)];
    }

    private static IEnumerable<Route> LangfuseRoute(LangfuseCallback? langfuse, HttpClient http, CallbackOptions options, ILogger log) =>
        langfuse is null ? [] : [new Route(
            new CallbackWorker(new Langfuse.LangfuseDestination(langfuse, http, log), options with
            {
                BatchSize = langfuse.BatchSize ?? options.BatchSize,
                FlushInterval = langfuse.FlushInterval,
            }, log), langfuse.OnSuccess, langfuse.OnFailure)];

    public IEnumerable<CallbackWorker> Workers => _routes.Select(r => r.Worker);

    public CallbackSettings Settings { get; }

    /// <summary>Some destination logs prompts and answers (every one does, as on LiteLLM): requests capture them.</summary>
    public bool WantsContent => !_routes.IsEmpty;

    public void Publish(SpendRow row, GatewayError? error, TimeSpan? sinceStreamStarted, CallbackContent? content = null)
    {
        if (error is not null && Settings.RedactMessagesInExceptions)
            error = ErrorRedaction.Redact(error);
        var item = new CallbackEvent(row, error) { StreamStarted = row.EndTime - sinceStreamStarted, Content = content };
        foreach (var route in _routes)
        {
            if (error is null ? route.OnSuccess : route.OnFailure)
                route.Worker.Enqueue(item);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var route in _routes)
            await route.Worker.DisposeAsync().ConfigureAwait(false);
        _http.Dispose();
    }
}

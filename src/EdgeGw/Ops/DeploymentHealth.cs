using System.Text;
using System.Text.Json;
using EdgeGw.Api;
using EdgeGw.Buffers;
using EdgeGw.Json;
using EdgeGw.Providers;
using EdgeGw.Routing;

namespace EdgeGw.Ops;

/// <summary>
/// <c>GET /health</c> (needs a key): every deployment answers one minimal real request
/// (<c>max_tokens: 1</c>; to <c>model_info.health_check_model</c> when set), all in parallel, each within <see cref="Timeout"/>. LiteLLM's shape:
/// <c>healthy_endpoints</c>, <c>unhealthy_endpoints</c> (with <c>error</c>) and their counts; no
/// api_key or extra headers. Health calls are not billed to the caller.
/// </summary>
internal static class DeploymentHealth
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private sealed record Outcome(ChatEndpoint Endpoint, string? Error);

    public static async Task HandleAsync(HttpContext context, GatewayState state)
    {
        var runtime = context.RequestServices.GetRequiredService<GatewayRuntime>();
        var factory = new ChatEndpointFactory(state.Config, runtime.Clients, runtime.Time);
        var endpoints = state.Models.Groups.SelectMany(g => g.Endpoints)
            .Select(e => e.Deployment.HealthCheckModel is { } model ? factory.Create(e.Deployment with { ModelId = HealthModelId(e.Deployment, model) }) : e)
            .ToArray();
        var outcomes = await Task.WhenAll(endpoints.Select(e => CheckAsync(e, context.RequestAborted)));

        var buffer = new PooledBufferWriter();
        try
        {
            using (var json = new Utf8JsonWriter(buffer, JsonOptions.Writer))
            {
                json.WriteStartObject();
                json.WriteStartArray("healthy_endpoints"u8);
                foreach (var o in outcomes.Where(o => o.Error is null))
                    WriteEndpoint(json, o);
                json.WriteEndArray();
                json.WriteStartArray("unhealthy_endpoints"u8);
                foreach (var o in outcomes.Where(o => o.Error is not null))
                    WriteEndpoint(json, o);
                json.WriteEndArray();
                json.WriteNumber("healthy_count"u8, outcomes.Count(o => o.Error is null));
                json.WriteNumber("unhealthy_count"u8, outcomes.Count(o => o.Error is not null));
                json.WriteEndObject();
            }
            context.Response.ContentType = "application/json";
            context.Response.ContentLength = buffer.WrittenCount;
            await context.Response.Body.WriteAsync(buffer.WrittenMemory, context.RequestAborted);
        }
        finally
        {
            buffer.Dispose();
        }
    }

    /// <summary>LiteLLM writes it with the provider prefix (<c>openai/gpt-4o-mini</c>); the bare id is accepted too.</summary>
    private static string HealthModelId(Config.Deployment deployment, string model) =>
        model.StartsWith(deployment.Provider + "/", StringComparison.Ordinal) ? model[(deployment.Provider.Length + 1)..] : model;

    private static void WriteEndpoint(Utf8JsonWriter json, Outcome outcome)
    {
        var d = outcome.Endpoint.Deployment;
        json.WriteStartObject();
        json.WriteString("model"u8, d.Provider + "/" + d.ModelId);
        json.WriteString("model_name"u8, d.ModelName);
        json.WriteString("model_id"u8, d.Id);
        if (d.ApiBase is not null)
            json.WriteString("api_base"u8, d.ApiBase);
        if (d.ApiVersion is not null)
            json.WriteString("api_version"u8, d.ApiVersion);
        if (outcome.Error is not null)
            json.WriteString("error"u8, outcome.Error);
        json.WriteEndObject();
    }

    /// <summary>One minimal chat call against <paramref name="endpoint"/>, its answer discarded.</summary>
    private static async Task<Outcome> CheckAsync(ChatEndpoint endpoint, CancellationToken aborted)
    {
        var d = endpoint.Deployment;
        var body = Encoding.UTF8.GetBytes(
            $"{{\"model\":{JsonSerializer.Serialize(d.ModelName, JsonContext.Default.String)},\"messages\":[{{\"role\":\"user\",\"content\":\"ping\"}}],\"max_tokens\":1}}");
        var name = new char[ChatRequestParser.MaxModelNameChars];
        if (ChatRequestParser.Parse(body, out var request, name, out _) is { } invalid)
            return new Outcome(endpoint, invalid.Message);
        var http = new DefaultHttpContext();
        http.Response.Body = new MemoryStream();
        var call = new ChatCall(http, body, request, new ModelGroup(d.ModelName, [endpoint]));
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(aborted);
        timeout.CancelAfter(Timeout);
        try
        {
            var result = await endpoint.ChatAsync(call, timeout.Token);
            if (result.Error is { } error)
                return new Outcome(endpoint, error.Message);
            return http.Response.StatusCode < 400 ? new Outcome(endpoint, null) : new Outcome(endpoint, $"status {http.Response.StatusCode}");
        }
        catch (OperationCanceledException) when (!aborted.IsCancellationRequested)
        {
            return new Outcome(endpoint, $"no answer within {Timeout.TotalSeconds:0} s");
        }
        catch (HttpRequestException e)
        {
            return new Outcome(endpoint, e.Message);
        }
    }
}

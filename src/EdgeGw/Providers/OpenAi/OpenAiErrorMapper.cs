using System.Text;
using System.Text.Json;
using EdgeGw.Api;
using EdgeGw.Upstream;

namespace EdgeGw.Providers.OpenAi;

/// <summary>
/// Reads an OpenAI-compatible error body — <c>{"error":{message,type,param,code}}</c>, the bare
/// <c>{"error":"…"}</c> some servers send, or vLLM's <c>{"object":"error","message":…}</c>.
/// </summary>
internal static class OpenAiErrorMapper
{
    public static async ValueTask<GatewayError> MapAsync(HttpResponseMessage response, string deploymentName, string? apiKey, CancellationToken cancellationToken)
    {
        var body = await UpstreamErrors.ReadBodyAsync(response, cancellationToken);
        return Map(response, body, deploymentName, apiKey);
    }

    /// <summary>Maps an error body that was already read (see <see cref="UpstreamErrors.ReadBodyAsync"/>).</summary>
    public static GatewayError Map(HttpResponseMessage response, byte[] body, string deploymentName, string? apiKey)
    {
        string? message = null, type = null, code = null, param = null;
        try
        {
            using var doc = JsonDocument.Parse(body);
            var root = doc.RootElement;
            var error = root.TryGetProperty("error", out var e) ? e : root;
            if (error.ValueKind == JsonValueKind.String)
            {
                message = error.GetString();
            }
            else if (error.ValueKind == JsonValueKind.Object)
            {
                message = Text(error, "message") ?? Text(error, "detail");
                type = Text(error, "type");
                code = Text(error, "code");
                param = Text(error, "param");
            }
        }
        catch (JsonException)
        {
            // Not JSON: the text itself is the best message there is.
        }
        message ??= body.Length > 0
            ? UpstreamErrors.Truncate(Encoding.UTF8.GetString(body))
            : $"Deployment '{deploymentName}' returned HTTP {(int)response.StatusCode} with no body.";
        return UpstreamErrors.Create(response, message, type, code, param, apiKey);
    }

    private static string? Text(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var value) ? value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Number => value.GetRawText(),
            _ => null,
        } : null;
}

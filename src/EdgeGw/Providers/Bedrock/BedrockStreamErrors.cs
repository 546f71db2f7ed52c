using EdgeGw.Api;
using EdgeGw.Streaming;

namespace EdgeGw.Providers.Bedrock;

// Placeholder until b20-evstream's BedrockStreamErrors lands (its version replaces this file).
internal static class BedrockStreamErrors
{
    public static GatewayError Map(in SseEvent sseEvent, string deploymentName)
    {
        var type = System.Text.Encoding.UTF8.GetString(sseEvent.EventType);
        var status = type switch
        {
            "throttlingException" => 429,
            "validationException" => 400,
            "serviceUnavailableException" => 503,
            _ => 500,
        };
        return new GatewayError(status, $"Deployment '{deploymentName}': {type}", Upstream.UpstreamErrors.TypeForStatus(status), status.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    public static async ValueTask<GatewayError> MapHttpAsync(HttpResponseMessage response, string deploymentName, string? apiKey, CancellationToken cancellationToken)
    {
        var body = await Upstream.UpstreamErrors.ReadBodyAsync(response, cancellationToken);
        return Upstream.UpstreamErrors.Create(response, $"Deployment '{deploymentName}': " + System.Text.Encoding.UTF8.GetString(body), null, null, null, apiKey);
    }
}

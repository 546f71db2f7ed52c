using EdgeGw.Api;
using EdgeGw.Streaming;

namespace EdgeGw.Providers.Bedrock;

// Placeholder until b20-evstream's BedrockStreamErrors lands (merged over this file).
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
        return new GatewayError(status, $"Deployment '{deploymentName}': {type}", UpstreamErrorsType(status), status.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    private static string UpstreamErrorsType(int status) => Upstream.UpstreamErrors.TypeForStatus(status);
}

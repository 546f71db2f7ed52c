using System.Diagnostics;
using System.Globalization;

namespace EdgeGw.Observability;

/// <summary>
/// LiteLLM's always-on timing headers, measured as the headers go out (for a stream: at its first
/// event, the last moment a header can be sent): <c>x-litellm-response-duration-ms</c> from the
/// request's arrival, <c>x-litellm-overhead-duration-ms</c> the part not spent waiting on the
/// provider. <c>x-litellm-version</c> carries EdgeGw's own version.
/// </summary>
internal static class LatencyHeaders
{
    public const string ResponseDuration = "x-litellm-response-duration-ms";
    public const string OverheadDuration = "x-litellm-overhead-duration-ms";
    public const string Version = "x-litellm-version";

    public static void Write(HttpContext context)
    {
        var headers = context.Response.Headers;
        headers[Version] = GatewayInfo.Version;
        if (RequestTelemetry.Of(context) is not { } telemetry)
            return;
        var (total, overhead) = telemetry.Elapsed();
        headers[ResponseDuration] = Milliseconds(total);
        headers[OverheadDuration] = Milliseconds(overhead);
    }

    private static string Milliseconds(long ticks) =>
        Math.Round(ticks * 1000.0 / Stopwatch.Frequency, 3).ToString(CultureInfo.InvariantCulture);
}

using System.Text.Json;
using EdgeGw.Api;
using EdgeGw.Providers.OpenAi;
using EdgeGw.Upstream;

namespace EdgeGw.Providers.Azure;

/// <summary>
/// Azure's errors are OpenAI's envelope with extras (<c>status</c>, <c>innererror</c>); the content
/// filter is the one that matters: its code must reach the client (and the router's
/// content-policy fallbacks) as <c>content_filter</c> even when only the inner error names it.
/// </summary>
internal static class AzureErrorMapper
{
    public const string ContentFilterCode = ContentPolicy.AzureCode;

    public static async ValueTask<GatewayError> MapAsync(HttpResponseMessage response, string deploymentName, string? apiKey, CancellationToken cancellationToken)
    {
        var body = await UpstreamErrors.ReadBodyAsync(response, cancellationToken);
        var error = OpenAiErrorMapper.Map(response, body, deploymentName, apiKey);
        return error.Code != ContentFilterCode && IsPolicyViolation(body) ? ContentPolicy.Violation(error with { Code = ContentFilterCode }) : error;
    }

    // Live payloads spell it "innererror"; the REST spec says "inner_error".
    private static bool IsPolicyViolation(byte[] body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            if (!doc.RootElement.TryGetProperty("error", out var error) || error.ValueKind != JsonValueKind.Object)
                return false;
            return (error.TryGetProperty("innererror", out var inner) || error.TryGetProperty("inner_error", out inner))
                && inner.ValueKind == JsonValueKind.Object
                && inner.TryGetProperty("code", out var code)
                && code.ValueKind == JsonValueKind.String
                && code.ValueEquals("ResponsibleAIPolicyViolation");
        }
        catch (JsonException)
        {
            return false;
        }
    }
}

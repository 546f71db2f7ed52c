using System.Text;
using System.Text.Json;
using EdgeGw.Api;
using EdgeGw.Upstream;

namespace EdgeGw.Providers.Anthropic;

/// <summary>
/// Anthropic's error envelope <c>{"type":"error","error":{"type","message"}}</c> → the gateway's
/// error, with the upstream status — except 529 <c>overloaded_error</c>, which becomes 503: OpenAI
/// clients know 503 as "retry later", and 529 is not a status they expect.
/// </summary>
internal static class AnthropicErrorMapper
{
    public const int Overloaded = 529;

    public static async ValueTask<GatewayError> MapAsync(HttpResponseMessage response, string deploymentName, string? apiKey, CancellationToken cancellationToken)
    {
        var body = await UpstreamErrors.ReadBodyAsync(response, cancellationToken);
        var (type, message) = Read(body);
        message ??= body.Length > 0
            ? UpstreamErrors.Truncate(Encoding.UTF8.GetString(body))
            : $"Deployment '{deploymentName}' returned HTTP {(int)response.StatusCode} with no body.";
        var error = UpstreamErrors.Create(response, message, type, null, null, apiKey);
        return error.Status == Overloaded ? error with { Status = 503, Code = "503" } : error;
    }

    /// <summary>An <c>event: error</c> after the stream began: no status line, so the status comes from the type.</summary>
    public static GatewayError FromStreamEvent(ReadOnlySpan<byte> data, string deploymentName, string? apiKey)
    {
        var (type, message) = Read(data);
        message ??= $"Deployment '{deploymentName}' reported an error mid-stream.";
        message = SecretRedaction.Redact(message, apiKey);
        type = SecretRedaction.RedactOrNull(type, apiKey);
        var status = StatusForType(type);
        var code = status == 400 && UpstreamErrors.IsContextLengthMessage(message) ? "context_length_exceeded" : null;
        return ContentPolicy.Classify(new GatewayError(status, message, type ?? "api_error", code ?? status.ToString(System.Globalization.CultureInfo.InvariantCulture)));
    }

    private static int StatusForType(string? type) => type switch
    {
        "invalid_request_error" => 400,
        "authentication_error" => 401,
        "billing_error" => 402,
        "permission_error" => 403,
        "not_found_error" => 404,
        "request_too_large" => 413,
        "rate_limit_error" => 429,
        "timeout_error" => 504,
        "overloaded_error" => 503,
        _ => 500,
    };

    private static (string? Type, string? Message) Read(ReadOnlySpan<byte> body)
    {
        try
        {
            var reader = new Utf8JsonReader(body);
            using var doc = JsonDocument.ParseValue(ref reader);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                return (null, null);
            var error = root.TryGetProperty("error", out var e) ? e : root;
            if (error.ValueKind == JsonValueKind.String)
                return (null, error.GetString());
            if (error.ValueKind != JsonValueKind.Object)
                return (null, null);
            return (Text(error, "type"), Text(error, "message"));
        }
        catch (JsonException)
        {
            return (null, null);
        }
    }

    private static string? Text(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}

using System.Globalization;
using EdgeGw.Api;

namespace EdgeGw.Upstream;

/// <summary>Provider-independent parts of turning an upstream failure into a <see cref="GatewayError"/>.</summary>
internal static class UpstreamErrors
{
    private const int MaxErrorBodyBytes = 64 * 1024;

    /// <summary>Reads at most 64 KiB of an error body: enough for any provider's message.</summary>
    public static async ValueTask<byte[]> ReadBodyAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
            var buffer = new byte[MaxErrorBodyBytes];
            var total = 0;
            int read;
            while (total < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(total), cancellationToken)) > 0)
                total += read;
            return buffer[..total];
        }
        catch (Exception e) when (e is IOException or HttpRequestException)
        {
            return [];
        }
    }

    /// <summary>OpenAI's error <c>type</c> for a status, used when the upstream gave none.</summary>
    public static string TypeForStatus(int status) => status switch
    {
        400 or 404 or 409 or 413 or 422 => "invalid_request_error",
        401 => "authentication_error",
        403 => "permission_error",
        429 => "rate_limit_error",
        _ => "api_error",
    };

    // Phrases providers use for an over-long prompt; the router's context-window fallbacks key on the code.
    private static readonly string[] ContextLengthPhrases =
    [
        "context_length_exceeded", "maximum context length", "context length", "context window",
        "prompt is too long", "too many tokens", "input is too long", "exceeds the maximum number of tokens",
    ];

    public static bool IsContextLengthMessage(string message)
    {
        foreach (var phrase in ContextLengthPhrases)
        {
            if (message.Contains(phrase, StringComparison.OrdinalIgnoreCase))
                return true;
        }
        return false;
    }

    /// <summary>Builds the error with the upstream's status and fields, secrets removed from every one.</summary>
    public static GatewayError Create(HttpResponseMessage response, string message, string? type, string? code, string? param, string? apiKey)
    {
        var status = (int)response.StatusCode;
        message = SecretRedaction.Redact(message, apiKey);
        type = SecretRedaction.RedactOrNull(type, apiKey);
        code = SecretRedaction.RedactOrNull(code, apiKey);
        param = SecretRedaction.RedactOrNull(param, apiKey);
        if (status == 400 && IsContextLengthMessage(message))
            code = "context_length_exceeded";
        return ContentPolicy.Classify(new GatewayError(status, message, type ?? TypeForStatus(status), code ?? status.ToString(CultureInfo.InvariantCulture), param)
        {
            RetryAfterSeconds = RetryAfter(response),
        });
    }

    private static int? RetryAfter(HttpResponseMessage response)
    {
        var header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta)
            return (int)Math.Ceiling(delta.TotalSeconds);
        if (header?.Date is { } date)
            return Math.Max(0, (int)Math.Ceiling((date - DateTimeOffset.UtcNow).TotalSeconds));
        return null;
    }

    /// <summary>A stream event that does not parse as the provider's format.</summary>
    public static GatewayError MalformedStream(string deploymentName) =>
        new(502, $"Deployment '{deploymentName}' sent a malformed stream event.", "api_error", "502");

    /// <summary>A stream that ended without the provider's end marker.</summary>
    public static GatewayError IncompleteStream(string deploymentName) =>
        new(502, $"Deployment '{deploymentName}' ended the stream before it was complete.", "api_error", "502");

    public static string Truncate(string text, int max = 500) => text.Length <= max ? text : text[..max] + "…";
}

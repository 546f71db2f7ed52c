using System.Text;
using System.Text.Json;
using EdgeGw.Api;
using EdgeGw.Upstream;

namespace EdgeGw.Providers.Ollama;

/// <summary>
/// Ollama answers errors as <c>{"error":"&lt;message&gt;"}</c> (a plain string) with the status that
/// matters: 404 for a model not pulled (<c>model "x" not found, try pulling it first</c>), 400 for a
/// bad request, 500 for a failed run. The status and message are kept in the OpenAI envelope; a
/// proxy in front that answers OpenAI-style <c>{"error":{"message"}}</c> is read too.
/// </summary>
internal static class OllamaErrorMapper
{
    public static async ValueTask<GatewayError> MapAsync(HttpResponseMessage response, string deploymentName, string? apiKey, CancellationToken cancellationToken)
    {
        var body = await UpstreamErrors.ReadBodyAsync(response, cancellationToken);
        return Map(response, body, deploymentName, apiKey);
    }

    public static GatewayError Map(HttpResponseMessage response, ReadOnlySpan<byte> body, string deploymentName, string? apiKey)
    {
        var message = Read(body) ?? (body.Length > 0
            ? UpstreamErrors.Truncate(Encoding.UTF8.GetString(body))
            : $"Deployment '{deploymentName}' returned HTTP {(int)response.StatusCode} with no body.");
        return UpstreamErrors.Create(response, message, null, null, null, apiKey);
    }

    /// <summary>An error line inside a 200 stream; the reader is on the <c>error</c> value.</summary>
    public static GatewayError FromStream(ref Utf8JsonReader reader, string deploymentName, string? apiKey)
    {
        var message = ReadValue(ref reader) ?? $"Deployment '{deploymentName}' reported an error mid-stream.";
        message = SecretRedaction.Redact(message, apiKey);
        return new GatewayError(500, message, "api_error", "500");
    }

    private static string? Read(ReadOnlySpan<byte> body)
    {
        try
        {
            var reader = new Utf8JsonReader(body);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                return null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isError = reader.ValueTextEquals("error"u8);
                reader.Read();
                if (isError)
                    return ReadValue(ref reader);
                reader.Skip();
            }
        }
        catch (JsonException)
        {
            // Not JSON: the caller falls back to the text.
        }
        return null;
    }

    /// <summary>The message of an <c>error</c> value: the string itself, or an object's <c>message</c>.</summary>
    private static string? ReadValue(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.String)
            return reader.GetString();
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return null;
        }
        string? message = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isMessage = reader.ValueTextEquals("message"u8);
            reader.Read();
            if (isMessage && reader.TokenType == JsonTokenType.String)
                message = reader.GetString();
            else
                reader.Skip();
        }
        return message;
    }
}

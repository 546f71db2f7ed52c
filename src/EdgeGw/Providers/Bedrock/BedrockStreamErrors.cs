using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using EdgeGw.Api;
using EdgeGw.Upstream;

namespace EdgeGw.Providers.Bedrock;

/// <summary>
/// Bedrock's failures → the gateway's error. Both arrive as an exception name and a
/// <c>{"message":"…"}</c> (<c>"Message"</c> from some front ends): mid-stream as an event-stream
/// <c>exception</c> frame (<c>throttlingException</c>), otherwise as the HTTP status, the
/// <c>x-amzn-ErrorType</c> header (<c>ThrottlingException:http://internal.amazon.com/…</c>) and the
/// body. The name sets the status as LiteLLM's Bedrock mapping does (throttling 429, validation 400
/// — 400 <c>context_length_exceeded</c> when the message says the prompt is too long — access denied
/// 403, bad credentials 401, model timeout 408, unavailable 503, the model's and the service's own
/// failures 500), so retries, cooldowns and fallbacks treat Bedrock like any provider.
/// </summary>
internal static class BedrockStreamErrors
{
    private readonly record struct Kind(string Name, int Status, string Type);

    // Names as AWS models them; matched ignoring case (the stream sends lowerCamel, the header PascalCase).
    private static readonly Kind[] Kinds =
    [
        new("ThrottlingException", 429, "rate_limit_error"),
        new("ModelNotReadyException", 429, "rate_limit_error"),     // the model is being loaded: retry later
        new("ServiceQuotaExceededException", 429, "rate_limit_error"), // an account quota: another deployment may have room
        new("ValidationException", 400, "invalid_request_error"),
        new("AccessDeniedException", 403, "permission_error"),
        new("UnrecognizedClientException", 401, "authentication_error"), // "The security token included in the request is invalid"
        new("InvalidSignatureException", 401, "authentication_error"),
        new("IncompleteSignatureException", 401, "authentication_error"),
        new("MissingAuthenticationTokenException", 401, "authentication_error"),
        new("ExpiredTokenException", 401, "authentication_error"),
        new("ResourceNotFoundException", 404, "invalid_request_error"),
        new("ModelTimeoutException", 408, "timeout"),
        new("ServiceUnavailableException", 503, "api_error"),
        new("ServiceUnavailable", 503, "api_error"),                  // the protocol's :error-code
        new("InternalServerException", 500, "api_error"),
        new("InternalFailure", 500, "api_error"),                     // the protocol's :error-code
        new("ModelStreamErrorException", 500, "api_error"),           // modelled 424: the model failed mid-answer
        new("ModelErrorException", 500, "api_error"),                 // modelled 424
    ];

    // LiteLLM's Bedrock context-window phrases, beyond the ones every provider shares (checked on 400s only:
    // a token-quota throttle says "Too many tokens, please wait").
    private static readonly string[] ContextLengthPhrases = ["expected maxLength:", "prompt: length: 1..", "too many input tokens"];

    // A SigV4 mismatch echoes the canonical request, signed headers and all (x-amz-security-token among them).
    private static readonly string[] EchoedRequestMarkers = ["The Canonical String for this request", "The String-to-Sign should have been"];

    /// <summary>
    /// A failure frame of ConverseStream: <paramref name="exceptionType"/> is its <c>:exception-type</c>
    /// (or <c>:error-code</c>), <paramref name="message"/> its JSON payload (or <c>:error-message</c> text).
    /// </summary>
    public static GatewayError Map(ReadOnlySpan<byte> exceptionType, ReadOnlySpan<byte> message, string deploymentName, string? apiKey = null)
    {
        var kind = Find(exceptionType);
        var text = MessageOf(message)
            ?? $"Deployment '{deploymentName}' reported {(exceptionType.IsEmpty ? "an error" : Encoding.UTF8.GetString(exceptionType))} mid-stream.";
        return Create(kind?.Status ?? 500, kind?.Type, text, apiKey);
    }

    /// <summary>A non-2xx answer: the type from <c>x-amzn-ErrorType</c> (or the body's <c>__type</c>), else the status decides.</summary>
    public static GatewayError MapHttp(HttpStatusCode status, string? errorTypeHeader, ReadOnlySpan<byte> body, string deploymentName, string? apiKey = null)
    {
        var fields = ReadBody(body);
        var name = errorTypeHeader is null ? fields.Type : errorTypeHeader.AsSpan();
        var kind = Find(TypeName(name));
        var code = (int)status;
        var text = fields.Message ?? (body.Length > 0
            ? Encoding.UTF8.GetString(body)
            : $"Deployment '{deploymentName}' returned HTTP {code} with no body.");
        return Create(kind?.Status ?? (code is >= 400 and <= 599 ? code : 502), kind?.Type, text, apiKey);
    }

    private static GatewayError Create(int status, string? type, string message, string? apiKey)
    {
        message = UpstreamErrors.Truncate(SecretRedaction.Redact(Unechoed(message), apiKey));
        var code = status == 400 && IsContextLength(message) ? "context_length_exceeded" : status.ToString(CultureInfo.InvariantCulture);
        return ContentPolicy.Classify(new GatewayError(status, message, type ?? UpstreamErrors.TypeForStatus(status), code));
    }

    private static bool IsContextLength(string message)
    {
        if (UpstreamErrors.IsContextLengthMessage(message))
            return true;
        foreach (var phrase in ContextLengthPhrases)
        {
            if (message.Contains(phrase, StringComparison.OrdinalIgnoreCase))
                return true;
        }
        return false;
    }

    /// <summary>The message up to any echo of the signed request.</summary>
    private static string Unechoed(string message)
    {
        foreach (var marker in EchoedRequestMarkers)
        {
            var at = message.IndexOf(marker, StringComparison.Ordinal);
            if (at >= 0)
                message = message[..at].TrimEnd();
        }
        return message;
    }

    /// <summary><c>ThrottlingException:http://internal.amazon.com/coral/…</c> or <c>com.amazon.coral…#ThrottlingException</c> → the name.</summary>
    private static ReadOnlySpan<char> TypeName(ReadOnlySpan<char> value)
    {
        value = value.Trim();
        var colon = value.IndexOf(':');
        if (colon >= 0)
            value = value[..colon];
        var hash = value.LastIndexOf('#');
        return hash >= 0 ? value[(hash + 1)..] : value;
    }

    private static Kind? Find(ReadOnlySpan<char> name)
    {
        foreach (var kind in Kinds)
        {
            if (name.Equals(kind.Name, StringComparison.OrdinalIgnoreCase))
                return kind;
        }
        return null;
    }

    private static Kind? Find(ReadOnlySpan<byte> name)
    {
        foreach (var kind in Kinds)
        {
            if (Ascii.EqualsIgnoreCase(name, kind.Name))
                return kind;
        }
        return null;
    }

    /// <summary>The payload's <c>message</c> (or <c>Message</c>, or a stream error's <c>originalMessage</c>); plain text as it is.</summary>
    private static string? MessageOf(ReadOnlySpan<byte> payload)
    {
        if (payload.IsEmpty)
            return null;
        var trimmed = payload.TrimStart(" \t\r\n"u8);
        if (!trimmed.IsEmpty && trimmed[0] == (byte)'{')
            return ReadBody(payload).Message;
        return Encoding.UTF8.GetString(payload);
    }

    private ref struct BodyFields
    {
        public string? Message;
        public ReadOnlySpan<char> Type;
    }

    private static BodyFields ReadBody(ReadOnlySpan<byte> body)
    {
        var fields = default(BodyFields);
        string? original = null;
        try
        {
            var reader = new Utf8JsonReader(body);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                return fields;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isMessage = reader.ValueTextEquals("message"u8) || reader.ValueTextEquals("Message"u8);
                var isOriginal = reader.ValueTextEquals("originalMessage"u8);
                var isType = reader.ValueTextEquals("__type"u8);
                reader.Read();
                if (reader.TokenType != JsonTokenType.String)
                    reader.Skip();
                else if (isMessage)
                    fields.Message = reader.GetString();
                else if (isOriginal)
                    original = reader.GetString();
                else if (isType)
                    fields.Type = reader.GetString();
            }
        }
        catch (JsonException)
        {
            // Not JSON: the caller falls back to the text.
        }
        fields.Message ??= original;
        return fields;
    }
}

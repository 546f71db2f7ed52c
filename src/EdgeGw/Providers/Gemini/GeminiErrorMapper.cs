using System.Globalization;
using System.Text;
using System.Text.Json;
using EdgeGw.Api;
using EdgeGw.Upstream;

namespace EdgeGw.Providers.Gemini;

/// <summary>
/// Turns Gemini's <c>{"error":{"code","message","status","details"}}</c> (google.rpc.Status) into the
/// OpenAI envelope. The HTTP status is kept (its OpenAI <c>type</c> follows from it), with three
/// documented adjustments: an invalid key (400 <c>API_KEY_INVALID</c>) becomes 401
/// <c>authentication_error</c>; an over-long prompt (400, or the 500 Gemini sometimes sends) becomes
/// 400 <c>context_length_exceeded</c>; and <c>RetryInfo.retryDelay</c> stands in for the
/// <c>Retry-After</c> header Gemini does not send.
/// </summary>
internal static class GeminiErrorMapper
{
    public static async ValueTask<GatewayError> MapAsync(HttpResponseMessage response, string deploymentName, string? apiKey, CancellationToken cancellationToken)
    {
        var body = await UpstreamErrors.ReadBodyAsync(response, cancellationToken);
        return Map(response, body, deploymentName, apiKey);
    }

    /// <summary>Maps an error body; a 2xx response carrying one takes its status from <c>error.code</c>.</summary>
    public static GatewayError Map(HttpResponseMessage response, ReadOnlySpan<byte> body, string deploymentName, string? apiKey)
    {
        var fields = Read(body);
        var message = fields.Message ?? (body.Length > 0
            ? UpstreamErrors.Truncate(Encoding.UTF8.GetString(body))
            : $"Deployment '{deploymentName}' returned HTTP {(int)response.StatusCode} with no body.");
        var error = UpstreamErrors.Create(response, message, null, null, null, apiKey);
        if (response.IsSuccessStatusCode)
        {
            var status = fields.Code is >= 400 and <= 599 ? fields.Code.Value : 502;
            error = error with { Status = status, Type = UpstreamErrors.TypeForStatus(status), Code = status.ToString(CultureInfo.InvariantCulture) };
        }
        return Adjust(error, fields);
    }

    /// <summary>An error object that arrived inside a 200 stream.</summary>
    public static GatewayError FromStream(ref Utf8JsonReader reader, string deploymentName, string? apiKey)
    {
        var fields = ReadErrorObject(ref reader);
        var status = fields.Code is >= 400 and <= 599 ? fields.Code.Value : 502;
        var message = fields.Message ?? $"Deployment '{deploymentName}' reported an error mid-stream.";
        message = SecretRedaction.Redact(message, apiKey);
        var error = new GatewayError(status, message, UpstreamErrors.TypeForStatus(status), status.ToString(CultureInfo.InvariantCulture));
        return ContentPolicy.Classify(Adjust(error, fields));
    }

    private static GatewayError Adjust(GatewayError error, ErrorFields fields)
    {
        if (fields.Reason == "API_KEY_INVALID")
            error = error with { Status = 401, Type = "authentication_error", Code = "401" };
        else if (error.Status is 400 or 500 && IsContextLength(error.Message))
            error = error with { Status = 400, Type = "invalid_request_error", Code = "context_length_exceeded" };
        if (error.RetryAfterSeconds is null && fields.RetryDelaySeconds is { } delay)
            error = error with { RetryAfterSeconds = delay };
        return error;
    }

    // Gemini: "The input token count (1234567) exceeds the maximum number of tokens allowed (1048576)."
    private static bool IsContextLength(string message) =>
        UpstreamErrors.IsContextLengthMessage(message) || message.Contains("input token count", StringComparison.OrdinalIgnoreCase);

    private record struct ErrorFields(int? Code, string? Message, string? Reason, int? RetryDelaySeconds);

    private static ErrorFields Read(ReadOnlySpan<byte> body)
    {
        try
        {
            var reader = new Utf8JsonReader(body);
            if (!reader.Read())
                return default;
            // Non-SSE streamGenerateContent wraps responses, errors included, in an array.
            if (reader.TokenType == JsonTokenType.StartArray && !reader.Read())
                return default;
            if (reader.TokenType != JsonTokenType.StartObject)
                return default;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isError = reader.ValueTextEquals("error"u8);
                reader.Read();
                if (isError)
                    return ReadErrorObject(ref reader);
                reader.Skip();
            }
        }
        catch (JsonException)
        {
            // Not JSON: the caller falls back to the text.
        }
        return default;
    }

    /// <summary>Reads the value of <c>error</c> through its end.</summary>
    private static ErrorFields ReadErrorObject(ref Utf8JsonReader reader)
    {
        var fields = default(ErrorFields);
        if (reader.TokenType == JsonTokenType.String)
        {
            fields.Message = reader.GetString();
            return fields;
        }
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return fields;
        }
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("code"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var code))
                    fields.Code = code;
            }
            else if (reader.ValueTextEquals("message"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.String)
                    fields.Message = reader.GetString();
            }
            else if (reader.ValueTextEquals("details"u8))
            {
                reader.Read();
                ReadDetails(ref reader, ref fields);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
        return fields;
    }

    private static void ReadDetails(ref Utf8JsonReader reader, ref ErrorFields fields)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            reader.Skip();
            return;
        }
        while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
        {
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("reason"u8))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.String)
                        fields.Reason = reader.GetString();
                }
                else if (reader.ValueTextEquals("retryDelay"u8))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.String)
                        fields.RetryDelaySeconds = ParseDelay(reader.GetString()!);
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }
        }
    }

    // google.protobuf.Duration in JSON: "34s", "1.5s".
    private static int? ParseDelay(string delay) =>
        delay.EndsWith('s') && double.TryParse(delay.AsSpan(0, delay.Length - 1), NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds >= 0
            ? (int)Math.Ceiling(seconds)
            : null;
}

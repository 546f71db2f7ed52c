using System.Globalization;
using System.Text.Json;
using EdgeGw.Json;

namespace EdgeGw.Api.Messages;

/// <summary>
/// Anthropic's error envelope, <c>{"type":"error","error":{"type","message"}}</c>, for clients of
/// <c>/v1/messages</c>: the same <see cref="GatewayError"/> in the shape the Anthropic SDKs parse.
/// </summary>
internal static class AnthropicErrors
{
    /// <summary>Anthropic's error type for a status (https://docs.anthropic.com/en/api/errors).</summary>
    public static string TypeFor(GatewayError error) => error.Status switch
    {
        400 or 405 or 422 => "invalid_request_error",
        401 => "authentication_error",
        403 => "permission_error",
        404 => "not_found_error",
        413 => "request_too_large",
        429 => "rate_limit_error",
        503 or 529 => "overloaded_error",
        504 => "timeout_error",
        _ => "api_error",
    };

    public static void WriteEnvelope(IBufferWriter<byte> output, GatewayError error)
    {
        using var json = new Utf8JsonWriter(output, JsonOptions.Writer);
        json.WriteStartObject();
        json.WriteString("type"u8, "error"u8);
        json.WriteStartObject("error"u8);
        json.WriteString("type"u8, TypeFor(error));
        json.WriteString("message"u8, error.Message);
        json.WriteEndObject();
        json.WriteEndObject();
    }

    public static Task WriteAsync(HttpContext context, GatewayError error)
    {
        var response = context.Response;
        if (response.HasStarted)
            return Task.CompletedTask;
        Observability.RequestTelemetry.OnError(context, error);
        response.StatusCode = error.Status;
        response.ContentType = "application/json";
        if (error.RetryAfterSeconds is { } seconds)
            response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        var buffer = new ArrayBufferWriter<byte>(256);
        WriteEnvelope(buffer, error);
        response.ContentLength = buffer.WrittenCount;
        return response.Body.WriteAsync(buffer.WrittenMemory).AsTask();
    }

    /// <summary>A mid-stream error as Anthropic sends it: <c>event: error</c>.</summary>
    public static void WriteSseEvent(IBufferWriter<byte> output, GatewayError error)
    {
        output.Write("event: error\ndata: "u8);
        WriteEnvelope(output, error);
        output.Write("\n\n"u8);
    }
}

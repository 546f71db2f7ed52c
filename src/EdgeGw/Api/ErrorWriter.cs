using System.Buffers;
using System.Globalization;
using System.Text.Json;
using EdgeGw.Json;

namespace EdgeGw.Api;

/// <summary>The one place where a <see cref="GatewayError"/> becomes bytes for the caller.</summary>
internal static class ErrorWriter
{
    private static readonly JsonEncodedText Error = JsonEncodedText.Encode("error");
    private static readonly JsonEncodedText Message = JsonEncodedText.Encode("message");
    private static readonly JsonEncodedText TypeName = JsonEncodedText.Encode("type");
    private static readonly JsonEncodedText Param = JsonEncodedText.Encode("param");
    private static readonly JsonEncodedText Code = JsonEncodedText.Encode("code");

    /// <summary>Writes <c>{"error":{"message","type","param","code"}}</c> as the whole response.</summary>
    public static Task WriteOpenAiAsync(HttpContext context, GatewayError error) => WriteAsync(context, error, WriteOpenAiEnvelope);

    /// <summary>The whole response for an error, in the envelope <paramref name="envelope"/> writes, unless a response has started.</summary>
    public static Task WriteAsync(HttpContext context, GatewayError error, Action<IBufferWriter<byte>, GatewayError> envelope)
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
        envelope(buffer, error);
        response.ContentLength = buffer.WrittenCount;
        return response.Body.WriteAsync(buffer.WrittenMemory).AsTask();
    }

    public static void WriteOpenAiEnvelope(IBufferWriter<byte> output, GatewayError error)
    {
        using var json = new Utf8JsonWriter(output, JsonOptions.Writer);
        json.WriteStartObject();
        json.WriteStartObject(Error);
        json.WriteString(Message, error.Message);
        json.WriteString(TypeName, error.Type);
        if (error.Param is null)
            json.WriteNull(Param);
        else
            json.WriteString(Param, error.Param);
        if (error.Code is null)
            json.WriteNull(Code);
        else
            json.WriteString(Code, error.Code);
        json.WriteEndObject();
        json.WriteEndObject();
    }

    /// <summary>
    /// After the first byte of a stream the status is already 200: the error travels as the one
    /// in-band shape OpenAI's SDKs recognise, a <c>data:</c> event whose object has an <c>error</c>.
    /// </summary>
    public static void WriteOpenAiSseEvent(IBufferWriter<byte> output, GatewayError error)
    {
        output.Write("data: "u8);
        WriteOpenAiEnvelope(output, error);
        output.Write("\n\n"u8);
    }
}

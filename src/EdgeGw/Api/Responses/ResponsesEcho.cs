using System.Buffers;
using System.Text.Json;
using EdgeGw.Json;

namespace EdgeGw.Api.Responses;

/// <summary>
/// The request settings a Response object repeats (instructions, tools, tool_choice, sampling,
/// text format, reasoning, store, metadata…), with OpenAI's defaults where the request was silent,
/// rendered once as <c>"key":value,</c> pairs without braces (<see cref="ResponsesStreamHead.EchoJson"/>).
/// </summary>
internal static class ResponsesEcho
{
    public static ReadOnlyMemory<byte> Write(JsonElement request)
    {
        var output = new ArrayBufferWriter<byte>(512);
        using (var json = new Utf8JsonWriter(output, JsonOptions.Writer))
        {
            json.WriteStartObject();
            Copy(json, request, "instructions", static j => j.WriteNullValue());
            Copy(json, request, "max_output_tokens", static j => j.WriteNullValue());
            Copy(json, request, "parallel_tool_calls", static j => j.WriteBooleanValue(true));
            Copy(json, request, "previous_response_id", static j => j.WriteNullValue());
            Copy(json, request, "reasoning", static j =>
            {
                j.WriteStartObject();
                j.WriteNull("effort"u8);
                j.WriteNull("summary"u8);
                j.WriteEndObject();
            });
            Copy(json, request, "store", static j => j.WriteBooleanValue(true));
            Copy(json, request, "temperature", static j => j.WriteNumberValue(1.0));
            Copy(json, request, "text", static j =>
            {
                j.WriteStartObject();
                j.WriteStartObject("format"u8);
                j.WriteString("type"u8, "text"u8);
                j.WriteEndObject();
                j.WriteEndObject();
            });
            Copy(json, request, "tool_choice", static j => j.WriteStringValue("auto"u8));
            Copy(json, request, "tools", static j =>
            {
                j.WriteStartArray();
                j.WriteEndArray();
            });
            Copy(json, request, "top_p", static j => j.WriteNumberValue(1.0));
            Copy(json, request, "truncation", static j => j.WriteStringValue("disabled"u8));
            Copy(json, request, "user", static j => j.WriteNullValue());
            Copy(json, request, "metadata", static j =>
            {
                j.WriteStartObject();
                j.WriteEndObject();
            });
            json.WriteEndObject();
        }
        // {"a":1,"b":2} → "a":1,"b":2, (the braces become the Response object's own)
        var echo = output.WrittenSpan.ToArray();
        echo[^1] = (byte)',';
        return echo.AsMemory(1);
    }

    private static void Copy(Utf8JsonWriter json, JsonElement request, string name, Action<Utf8JsonWriter> writeDefault)
    {
        json.WritePropertyName(name);
        if (request.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null)
            value.WriteTo(json);
        else
            writeDefault(json);
    }
}

using System.Buffers;
using System.Text.Json;
using EdgeGw.Json;

namespace EdgeGw.Api.Responses;

/// <summary>
/// A failure after a Responses stream's first byte: the <c>error</c> event the OpenAI SDKs raise
/// on (<c>{"type":"error","code","message","param","sequence_number"}</c>), never a silent end.
/// </summary>
internal static class ResponsesErrorEvent
{
    public static void Write(IBufferWriter<byte> output, GatewayError error, long sequenceNumber)
    {
        output.Write("event: error\ndata: "u8);
        using (var json = new Utf8JsonWriter(output, JsonOptions.Writer))
        {
            json.WriteStartObject();
            json.WriteString("type"u8, "error"u8);
            json.WriteString("code"u8, error.Code ?? error.Type);
            json.WriteString("message"u8, error.Message);
            if (error.Param is null)
                json.WriteNull("param"u8);
            else
                json.WriteString("param"u8, error.Param);
            json.WriteNumber("sequence_number"u8, sequenceNumber);
            json.WriteEndObject();
        }
        output.Write("\n\n"u8);
    }
}

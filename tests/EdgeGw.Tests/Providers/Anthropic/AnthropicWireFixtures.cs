using System.Globalization;
using System.Text;

namespace EdgeGw.Tests.Providers.Anthropic;

/// <summary>
/// Anthropic Messages bytes as the API writes them (event name line, compact JSON data, blank
/// line), built from the project's own text and ids.
/// </summary>
public static class AnthropicWireFixtures
{
    public const string MessageId = "msg_01EdgeGwFixture0000000001";

    /// <summary>JSON string content as Anthropic writes it: quotes, backslashes and controls escaped, UTF-8 left raw.</summary>
    public static string Esc(string text)
    {
        var sb = new StringBuilder();
        foreach (var c in text)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                default:
                    if (c < 0x20)
                        sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    else
                        sb.Append(c);
                    break;
            }
        }
        return sb.ToString();
    }

    /// <summary>Fills <c>@0</c>, <c>@1</c>… in a JSON template (raw strings cannot interpolate next to JSON's braces).</summary>
    private static string T(string template, params object[] args) =>
        System.Text.RegularExpressions.Regex.Replace(template, "@([0-9])", m => Convert.ToString(args[m.Groups[1].Value[0] - '0'], CultureInfo.InvariantCulture)!);

    public static string Event(string name, string json) => $"event: {name}\ndata: {json}\n\n";

    public static string MessageStart(int inputTokens = 25, int cacheRead = 0, int cacheCreation = 0) => Event("message_start",
        T("""{"type":"message_start","message":{"id":"@0","type":"message","role":"assistant","model":"claude-test-1","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":@1,"cache_creation_input_tokens":@2,"cache_read_input_tokens":@3,"output_tokens":1,"service_tier":"standard"}}}""", MessageId, inputTokens, cacheCreation, cacheRead));

    public static string Ping => Event("ping", """{"type": "ping"}""");

    public static string TextStart(int index) => Event("content_block_start",
        T("""{"type":"content_block_start","index":@0,"content_block":{"type":"text","text":""}}""", index));

    public static string TextDelta(int index, string text) => Event("content_block_delta",
        T("""{"type":"content_block_delta","index":@0,"delta":{"type":"text_delta","text":"@1"}}""", index, Esc(text)));

    public static string ThinkingStart(int index) => Event("content_block_start",
        T("""{"type":"content_block_start","index":@0,"content_block":{"type":"thinking","thinking":"","signature":""}}""", index));

    public static string ThinkingDelta(int index, string text) => Event("content_block_delta",
        T("""{"type":"content_block_delta","index":@0,"delta":{"type":"thinking_delta","thinking":"@1"}}""", index, Esc(text)));

    public static string SignatureDelta(int index) => Event("content_block_delta",
        T("""{"type":"content_block_delta","index":@0,"delta":{"type":"signature_delta","signature":"RWRnZUd3LWZpeHR1cmUtc2lnbmF0dXJl"}}""", index));

    public static string ToolStart(int index, string id, string name) => Event("content_block_start",
        T("""{"type":"content_block_start","index":@0,"content_block":{"type":"tool_use","id":"@1","name":"@2","input":{}}}""", index, id, name));

    public static string ToolDelta(int index, string partialJson) => Event("content_block_delta",
        T("""{"type":"content_block_delta","index":@0,"delta":{"type":"input_json_delta","partial_json":"@1"}}""", index, Esc(partialJson)));

    public static string BlockStop(int index) => Event("content_block_stop", T("""{"type":"content_block_stop","index":@0}""", index));

    public static string MessageDelta(string stopReason, int outputTokens = 12) => Event("message_delta",
        T("""{"type":"message_delta","delta":{"stop_reason":"@0","stop_sequence":null},"usage":{"output_tokens":@1}}""", stopReason, outputTokens));

    public static string MessageStop => Event("message_stop", """{"type":"message_stop"}""");

    /// <summary>A complete text answer streamed in the given pieces.</summary>
    public static string[] TextStream(params string[] pieces) =>
    [
        MessageStart(), TextStart(0), Ping,
        .. pieces.Select(p => TextDelta(0, p)),
        BlockStop(0), MessageDelta("end_turn"), MessageStop,
    ];

    public static string Message(string contentBlocks, string stopReason = "end_turn", string usage = """{"input_tokens":30,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":9,"service_tier":"standard"}""") =>
        T("""{"id":"@0","type":"message","role":"assistant","model":"claude-test-1","content":[@1],"stop_reason":"@2","stop_sequence":null,"usage":@3}""", MessageId, contentBlocks, stopReason, usage);

    public static string TextMessage(string text, string stopReason = "end_turn") =>
        Message(T("""{"type":"text","text":"@0"}""", Esc(text)), stopReason);

    public static string Error(string type, string message) =>
        T("""{"type":"error","error":{"type":"@0","message":"@1"},"request_id":"req_01EdgeGwFixture"}""", type, Esc(message));
}

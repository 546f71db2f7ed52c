using System.Text;
using EdgeGw.Tests.Infrastructure;
using static EdgeGw.Tests.Infrastructure.AwsEventStreamFrames;

namespace EdgeGw.Tests.Streaming;

/// <summary>ConverseStream transcripts built frame by frame, with the events each must yield.</summary>
internal static class AwsEventStreamTranscripts
{
    public sealed record Transcript(byte[] Bytes, List<ParsedEvent> Expected);

    /// <summary>Text with multi-byte UTF-8 and Bedrock's random-length <c>"p"</c> padding, a tool call, the end and usage.</summary>
    public static readonly (string Type, string Json)[] Conversation =
    [
        ("messageStart", """{"p":"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVW","role":"assistant"}"""),
        ("contentBlockDelta", """{"contentBlockIndex":0,"delta":{"text":"Paris: 21 °C, "},"p":"abcdefghijklmnopqrstuvwxyzABCDEFGHIJ"}"""),
        ("contentBlockDelta", """{"contentBlockIndex":0,"delta":{"text":"晴れ 😀"},"p":"abcd"}"""),
        ("contentBlockStop", """{"contentBlockIndex":0,"p":"abcdefghijklmnopqrstu"}"""),
        ("contentBlockStart", """{"contentBlockIndex":1,"start":{"toolUse":{"toolUseId":"tooluse_kZJMlvQmRJ6eAyJE5GIl7Q","name":"get_weather"}},"p":"abcdefghijklmnop"}"""),
        ("contentBlockDelta", """{"contentBlockIndex":1,"delta":{"toolUse":{"input":"{\"location\":"}},"p":"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNO"}"""),
        ("contentBlockDelta", """{"contentBlockIndex":1,"delta":{"toolUse":{"input":" \"Paris\"}"}},"p":"abcdefgh"}"""),
        ("contentBlockStop", """{"contentBlockIndex":1,"p":"abcdefghijklmnopqrstuvwxyzABCDEFGH"}"""),
        ("messageStop", """{"p":"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRST","stopReason":"tool_use"}"""),
        ("metadata", """{"metrics":{"latencyMs":1123},"p":"abcdefghijklmnopqrstuvwxyzABCDEF","usage":{"cacheReadInputTokens":0,"cacheWriteInputTokens":0,"inputTokens":412,"outputTokens":59,"totalTokens":471}}"""),
    ];

    /// <summary>One header of every value type around the ones that matter, in both orders.</summary>
    public static byte[] EveryHeaderType(string eventType, string json) => Frame(
        [
            ("flag-true", true), ("flag-false", false), ("byte", (sbyte)-7), ("short", (short)-1234), ("int", 123_456_789),
            ("long", -9_876_543_210L), ("bytes", new byte[] { 0, 1, 2, 0xFF }), ("empty-bytes", Array.Empty<byte>()),
            (":message-type", "event"),
            ("timestamp", new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero)), ("uuid", new Guid("b79bc914-de21-4e13-b8b2-bc47e85b7f0b")),
            (":event-type", eventType), ("", "a header with an empty name"), ("note", "text with 'é'"),
            (":content-type", "application/json"),
        ],
        Encoding.UTF8.GetBytes(json));

    /// <summary>The conversation with every frame kind: all header types, a 6 KB delta, an exception and an error at the end.</summary>
    public static Transcript Full()
    {
        var frames = new List<byte[]>();
        var expected = new List<ParsedEvent>();
        foreach (var (type, json) in Conversation)
            Add(Event(type, json), new ParsedEvent(type, json));
        var big = "{\"contentBlockIndex\":2,\"delta\":{\"text\":\"" + string.Concat(Enumerable.Repeat("long é 中 😀 text ", 300)) + "\"}}";
        Add(Event("contentBlockDelta", big), new ParsedEvent("contentBlockDelta", big));
        Add(EveryHeaderType("contentBlockStop", """{"contentBlockIndex":2}"""), new ParsedEvent("contentBlockStop", """{"contentBlockIndex":2}"""));
        Add(Frame([(":message-type", "future-kind"), (":event-type", "ignored")], [1, 2, 3]), null); // unknown message types are skipped
        Add(Exception("throttlingException", "Too many requests, please wait before trying again."),
            new ParsedEvent("throttlingException", """{"message":"Too many requests, please wait before trying again."}""", "Exception"));
        Add(Error("InternalFailure", "The request processing has failed because of an unknown error."),
            new ParsedEvent("InternalFailure", "The request processing has failed because of an unknown error.", "Error"));
        return new Transcript([.. frames.SelectMany(f => f)], expected);

        void Add(byte[] frame, ParsedEvent? yields)
        {
            frames.Add(frame);
            if (yields is not null)
                expected.Add(yields);
        }
    }

    /// <summary>The conversation alone, small enough to cut at every offset.</summary>
    public static Transcript Conversational() => new(
        [.. Conversation.SelectMany(e => Event(e.Type, e.Json))],
        [.. Conversation.Select(e => new ParsedEvent(e.Type, e.Json))]);
}

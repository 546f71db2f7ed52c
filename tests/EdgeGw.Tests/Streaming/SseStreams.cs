using System.Text;

namespace EdgeGw.Tests.Streaming;

/// <summary>
/// Streams in each provider's framing, written for these tests, with the events they must parse
/// to. Text mixes ASCII, accented Latin, CJK and emoji so pieces can split UTF-8 sequences.
/// </summary>
internal static class SseStreams
{
    public sealed record Sample(string Name, byte[] Bytes, IReadOnlyList<ParsedEvent> Expected);

    private static readonly string[] Words = ["Hello", " wörld", " 東京", "、こんにちは", " 🌸🎉", " naïve", " \\\"quoted\\\"", " 👩‍💻", " 中文字符", " end."];

    public static IReadOnlyList<Sample> All { get; } = [OpenAi(), Anthropic(), Gemini(), Edge()];

    /// <summary>OpenAI: <c>data: {…}\n\n</c>, a keep-alive comment, <c>[DONE]</c>.</summary>
    private static Sample OpenAi()
    {
        var events = new List<ParsedEvent>();
        var sb = new StringBuilder(": keep-alive\n\n");
        for (var i = 0; i < Words.Length; i++)
        {
            var data = $$"""{"id":"chatcmpl-t{{i}}","object":"chat.completion.chunk","created":1763790000,"model":"gpt-x","choices":[{"index":0,"delta":{"content":"{{Words[i]}}"},"finish_reason":null}]}""";
            sb.Append("data: ").Append(data).Append("\n\n");
            events.Add(new("", data));
        }
        sb.Append("data: [DONE]\n\n");
        events.Add(new("", "[DONE]"));
        return new("openai", Encoding.UTF8.GetBytes(sb.ToString()), events);
    }

    /// <summary>Anthropic: <c>event:</c> then <c>data:</c>, pings between.</summary>
    private static Sample Anthropic()
    {
        var events = new List<ParsedEvent>();
        var sb = new StringBuilder();
        void Add(string type, string data)
        {
            sb.Append("event: ").Append(type).Append('\n').Append("data: ").Append(data).Append("\n\n");
            events.Add(new(type, data));
        }
        Add("message_start", """{"type":"message_start","message":{"id":"msg_t1","role":"assistant","content":[],"usage":{"input_tokens":12,"output_tokens":1}}}""");
        Add("content_block_start", """{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}""");
        Add("ping", """{"type": "ping"}""");
        foreach (var word in Words)
            Add("content_block_delta", $$$"""{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"{{{word}}}"}}""");
        Add("content_block_stop", """{"type":"content_block_stop","index":0}""");
        Add("message_delta", """{"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":21}}""");
        Add("message_stop", """{"type":"message_stop"}""");
        return new("anthropic", Encoding.UTF8.GetBytes(sb.ToString()), events);
    }

    /// <summary>Gemini: <c>data: {…}\r\n\r\n</c>, no terminator event.</summary>
    private static Sample Gemini()
    {
        var events = new List<ParsedEvent>();
        var sb = new StringBuilder();
        foreach (var word in Words)
        {
            var data = $$"""{"candidates":[{"content":{"parts":[{"text":"{{word}}"}],"role":"model"},"index":0}],"modelVersion":"gemini-x"}""";
            sb.Append("data: ").Append(data).Append("\r\n\r\n");
            events.Add(new("", data));
        }
        return new("gemini", Encoding.UTF8.GetBytes(sb.ToString()), events);
    }

    /// <summary>The awkward corners together: a byte-order mark, CR-only ends, multi-line data, fields to ignore, no final blank line.</summary>
    private static Sample Edge()
    {
        const string text = "\uFEFFdata: 零\r\rretry: 100\rid: 1\r: 注釈 💬\revent: 多字节\rdata: 第一行 ☕\rdata:second\r\r"
            + "\r\n\r\nevent: only-type\r\n\r\n"
            + "data:  two spaces 🎈\r\ndata\r\n\n"
            + "data: 末尾 🚀";
        return new("edge", Encoding.UTF8.GetBytes(text),
        [
            new("", "零"),
            new("多字节", "第一行 ☕\nsecond"),
            new("", " two spaces 🎈\n"),
            new("", "末尾 🚀"),
        ]);
    }
}

using System.Text;
using System.Text.Json;
using EdgeGw.Api.Messages;
using EdgeGw.Buffers;
using EdgeGw.Providers.OpenAi;
using EdgeGw.Streaming;
using EdgeGw.Tests.Infrastructure;

namespace EdgeGw.Tests.Messages;

/// <summary>OpenAI-format upstream stream → Anthropic-format client stream, checked against Anthropic's event grammar.</summary>
public sealed class OpenAiToAnthropicStreamTests
{
    private static string Chunk(string delta, string? finish = null) =>
        $"data: {{\"id\":\"chatcmpl-7\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4o\",\"choices\":[{{\"index\":0,\"delta\":{delta},\"logprobs\":null,\"finish_reason\":{(finish is null ? "null" : $"\"{finish}\"")}}}]}}\n\n";

    private static (string Output, EdgeGw.Api.GatewayError? Error) Translate(string upstream)
    {
        using var output = new PooledBufferWriter();
        using var parser = new SseParser();
        var decoder = new OpenAiStreamDecoder<AnthropicEventEncoder>(new AnthropicEventEncoder("\"claude-alias\""u8.ToArray(), 12), "dep");
        var buffer = new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(upstream));
        var running = true;
        while (running && parser.TryRead(ref buffer, out var e))
            running = decoder.OnEvent(e, output);
        if (running)
            decoder.OnEnd(output);
        return (Encoding.UTF8.GetString(output.WrittenSpan), decoder.Error);
    }

    /// <summary>Checks the grammar every Anthropic client relies on and returns the events.</summary>
    internal static IReadOnlyList<Sse.Event> AssertAnthropicGrammar(string body)
    {
        var events = Sse.Parse(body);
        Assert.All(events, e => Assert.Equal(e.Name, e.Json.GetProperty("type").GetString()));
        Assert.Equal("message_start", events[0].Name);
        Assert.Equal("message_stop", events[^1].Name);
        Assert.Equal("message_delta", events[^2].Name);
        var expectedIndex = 0;
        var open = false;
        foreach (var e in events.Skip(1).SkipLast(2))
        {
            var index = e.Json.GetProperty("index").GetInt32();
            Assert.Equal(expectedIndex, index);
            switch (e.Name)
            {
                case "content_block_start": Assert.False(open); open = true; break;
                case "content_block_delta": Assert.True(open); break;
                case "content_block_stop": Assert.True(open); open = false; expectedIndex++; break;
                default: Assert.Fail($"unexpected event {e.Name}"); break;
            }
        }
        Assert.False(open);
        return events;
    }

    [Fact]
    public void TextStream_BecomesOneTextBlockWithExactText()
    {
        var (body, error) = Translate(
            Chunk("{\"role\":\"assistant\",\"content\":\"\"}") +
            Chunk("{\"content\":\"Tab\\t \\\"q\\\" 😀\"}") +
            Chunk("{\"content\":\" 中文 </script>\"}") +
            Chunk("{}", "stop") +
            "data: {\"id\":\"chatcmpl-7\",\"choices\":[],\"usage\":{\"prompt_tokens\":30,\"completion_tokens\":5,\"total_tokens\":35,\"prompt_tokens_details\":{\"cached_tokens\":10}}}\n\n" +
            "data: [DONE]\n\n");

        Assert.Null(error);
        var events = AssertAnthropicGrammar(body);
        var message = events[0].Json.GetProperty("message");
        Assert.Equal("claude-alias", message.GetProperty("model").GetString());
        Assert.Equal("chatcmpl-7", message.GetProperty("id").GetString());
        Assert.Equal("text", events[1].Json.GetProperty("content_block").GetProperty("type").GetString());
        var text = string.Concat(events.Where(e => e.Name == "content_block_delta").Select(e => e.Json.GetProperty("delta").GetProperty("text").GetString()));
        Assert.Equal("Tab\t \"q\" 😀 中文 </script>", text);
        var delta = events[^2].Json;
        Assert.Equal("end_turn", delta.GetProperty("delta").GetProperty("stop_reason").GetString());
        Assert.Equal(20, delta.GetProperty("usage").GetProperty("input_tokens").GetInt32());
        Assert.Equal(10, delta.GetProperty("usage").GetProperty("cache_read_input_tokens").GetInt32());
        Assert.Equal(5, delta.GetProperty("usage").GetProperty("output_tokens").GetInt32());
    }

    [Fact]
    public void ParallelToolCalls_BecomeToolUseBlocksWithExactArguments()
    {
        var (body, _) = Translate(
            Chunk("{\"role\":\"assistant\",\"content\":\"Checking.\"}") +
            Chunk("{\"tool_calls\":[{\"index\":0,\"id\":\"call_a\",\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"arguments\":\"\"}}]}") +
            Chunk("{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{\\\"city\\\":\"}}]}") +
            Chunk("{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"\\\"Paris\\\"}\"}}]}") +
            Chunk("{\"tool_calls\":[{\"index\":1,\"id\":\"call_b\",\"type\":\"function\",\"function\":{\"name\":\"get_time\",\"arguments\":\"{\\\"tz\\\":\\\"CET\\\"}\"}}]}") +
            Chunk("{}", "tool_calls") + "data: [DONE]\n\n");

        var events = AssertAnthropicGrammar(body);
        var starts = events.Where(e => e.Name == "content_block_start").Select(e => e.Json.GetProperty("content_block")).ToList();
        Assert.Equal(["text", "tool_use", "tool_use"], starts.Select(b => b.GetProperty("type").GetString()!));
        Assert.Equal("call_a", starts[1].GetProperty("id").GetString());
        Assert.Equal("get_time", starts[2].GetProperty("name").GetString());
        string Args(int index) => string.Concat(events.Where(e => e.Name == "content_block_delta" && e.Json.GetProperty("index").GetInt32() == index)
            .Select(e => e.Json.GetProperty("delta").GetProperty("partial_json").GetString()));
        Assert.Equal("Paris", JsonDocument.Parse(Args(1)).RootElement.GetProperty("city").GetString());
        Assert.Equal("CET", JsonDocument.Parse(Args(2)).RootElement.GetProperty("tz").GetString());
        Assert.Equal("tool_use", events[^2].Json.GetProperty("delta").GetProperty("stop_reason").GetString());
    }

    [Fact]
    public void ReasoningThenText_BecomeThinkingThenTextBlocks()
    {
        var (body, _) = Translate(
            Chunk("{\"role\":\"assistant\",\"reasoning_content\":\"Let me think\"}") +
            Chunk("{\"content\":\"Answer\"}") + Chunk("{}", "length") + "data: [DONE]\n\n");

        var events = AssertAnthropicGrammar(body);
        var blocks = events.Where(e => e.Name == "content_block_start").Select(e => e.Json.GetProperty("content_block").GetProperty("type").GetString()).ToList();
        Assert.Equal(["thinking", "text"], blocks);
        Assert.Equal("Let me think", events.First(e => e.Name == "content_block_delta").Json.GetProperty("delta").GetProperty("thinking").GetString());
        Assert.Equal("max_tokens", events[^2].Json.GetProperty("delta").GetProperty("stop_reason").GetString());
    }

    [Fact]
    public void StreamCutBeforeDone_EndsWithErrorEvent()
    {
        var (body, error) = Translate(Chunk("{\"role\":\"assistant\",\"content\":\"Hi\"}"));

        Assert.NotNull(error);
        var last = Sse.Parse(body)[^1];
        Assert.Equal("error", last.Name);
        Assert.Equal("error", last.Json.GetProperty("type").GetString());
        Assert.Equal("api_error", last.Json.GetProperty("error").GetProperty("type").GetString());
    }

    [Fact]
    public void MalformedChunk_EndsWithErrorEvent()
    {
        var (body, error) = Translate(Chunk("{\"role\":\"assistant\",\"content\":\"Hi\"}") + "data: {\"choices\":[{\"index\":\"x\"\n\n");

        Assert.NotNull(error);
        Assert.Equal("error", Sse.Parse(body)[^1].Name);
    }
}

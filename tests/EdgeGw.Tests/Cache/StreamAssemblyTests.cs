using System.Text;
using System.Text.Json;
using EdgeGw.Api.Messages;
using EdgeGw.Buffers;
using EdgeGw.Cache;
using EdgeGw.Json;
using EdgeGw.Providers.OpenAi;
using EdgeGw.Streaming;
using EdgeGw.Tests.Infrastructure;

namespace EdgeGw.Tests.Cache;

/// <summary>
/// A stream as EdgeGw's encoders write it folds into the unstreamed body of its format, and that
/// body replays as a stream with the same content: the round trip a cached stream makes.
/// </summary>
public sealed class StreamAssemblyTests
{
    private static readonly byte[] ModelJson = "\"my-gpt\""u8.ToArray();
    private static readonly Usage Usage = new() { Present = true, PromptTokens = 12, CompletionTokens = 7, CachedTokens = 2 };

    /// <summary>Text in several deltas (one escaped), then a tool call whose arguments arrive in pieces.</summary>
    private static void Events(IChatStreamEncoder encoder, PooledBufferWriter output, bool withTool = true)
    {
        encoder.Start(output, "chatcmpl-abc"u8);
        encoder.Text(output, 0, "Hello "u8);
        encoder.Text(output, 0, "\\\"world\\\" "u8);
        encoder.Text(output, 0, "\\u00e9t\\u00e9"u8);
        if (withTool)
        {
            encoder.ToolCallStart(output, 0, 0, "call_1"u8, "get_weather"u8);
            encoder.ToolArguments(output, 0, 0, "{\\\"city\\\":"u8);
            encoder.ToolArguments(output, 0, 0, "\\\"Paris\\\"}"u8);
        }
        encoder.Finish(output, 0, withTool ? FinishReason.ToolCalls : FinishReason.Stop);
        encoder.Done(output, Usage);
    }

    private static string OpenAiStream(bool withTool = true, bool wantsUsage = true)
    {
        using var output = new PooledBufferWriter();
        Events(new OpenAiChunkEncoder(ModelJson, wantsUsage, TimeProvider.System), output, withTool);
        return Encoding.UTF8.GetString(output.WrittenSpan);
    }

    private static string AnthropicStream(bool withTool = true)
    {
        using var output = new PooledBufferWriter();
        Events(new AnthropicEventEncoder(ModelJson, 12), output, withTool);
        return Encoding.UTF8.GetString(output.WrittenSpan);
    }

    [Fact]
    public void OpenAiStream_FoldsIntoChatCompletion()
    {
        var body = OpenAiStreamAssembler.Assemble(Encoding.UTF8.GetBytes(OpenAiStream()), Usage);

        var root = JsonDocument.Parse(body!).RootElement;
        Assert.Equal("chat.completion", root.GetProperty("object").GetString());
        Assert.Equal("chatcmpl-abc", root.GetProperty("id").GetString());
        Assert.Equal("my-gpt", root.GetProperty("model").GetString());
        var choice = root.GetProperty("choices")[0];
        Assert.Equal("tool_calls", choice.GetProperty("finish_reason").GetString());
        Assert.Equal("Hello \"world\" été", choice.GetProperty("message").GetProperty("content").GetString());
        var call = choice.GetProperty("message").GetProperty("tool_calls")[0];
        Assert.Equal("call_1", call.GetProperty("id").GetString());
        Assert.Equal("get_weather", call.GetProperty("function").GetProperty("name").GetString());
        Assert.Equal("{\"city\":\"Paris\"}", call.GetProperty("function").GetProperty("arguments").GetString());
        Assert.Equal(12, root.GetProperty("usage").GetProperty("prompt_tokens").GetInt32());
        Assert.Equal(7, root.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
    }

    [Fact]
    public void AnthropicStream_FoldsIntoMessage()
    {
        var body = AnthropicStreamAssembler.Assemble(Encoding.UTF8.GetBytes(AnthropicStream()), Usage);

        var root = JsonDocument.Parse(body!).RootElement;
        Assert.Equal("message", root.GetProperty("type").GetString());
        Assert.Equal("chatcmpl-abc", root.GetProperty("id").GetString());
        Assert.Equal("my-gpt", root.GetProperty("model").GetString());
        Assert.Equal("tool_use", root.GetProperty("stop_reason").GetString());
        var content = root.GetProperty("content");
        Assert.Equal("Hello \"world\" été", content[0].GetProperty("text").GetString());
        Assert.Equal("tool_use", content[1].GetProperty("type").GetString());
        Assert.Equal("get_weather", content[1].GetProperty("name").GetString());
        Assert.Equal("Paris", content[1].GetProperty("input").GetProperty("city").GetString());
        Assert.Equal(10, root.GetProperty("usage").GetProperty("input_tokens").GetInt32());
        Assert.Equal(2, root.GetProperty("usage").GetProperty("cache_read_input_tokens").GetInt32());
    }

    [Theory]
    [InlineData("openai")]
    [InlineData("anthropic")]
    public void StreamWithoutItsEnd_IsNotFolded(string format)
    {
        var stream = format == "openai" ? OpenAiStream() : AnthropicStream();
        var cut = Encoding.UTF8.GetBytes(stream[..stream.LastIndexOf("data:", StringComparison.Ordinal)]);

        Assert.Null(format == "openai" ? OpenAiStreamAssembler.Assemble(cut, Usage) : AnthropicStreamAssembler.Assemble(cut, Usage));
    }

    [Fact]
    public void OpenAiStreamEndingInErrorEvent_IsNotFolded()
    {
        var stream = OpenAiStream(withTool: false);
        stream = stream[..stream.IndexOf("data: [DONE]", StringComparison.Ordinal)]
            + "data: {\"error\":{\"message\":\"boom\",\"type\":\"api_error\",\"code\":\"502\"}}\n\ndata: [DONE]\n\n";

        Assert.Null(OpenAiStreamAssembler.Assemble(Encoding.UTF8.GetBytes(stream), Usage));
    }

    [Theory]
    [InlineData("openai", "openai")]
    [InlineData("openai", "anthropic")]
    [InlineData("anthropic", "openai")]
    [InlineData("anthropic", "anthropic")]
    public void FoldedStream_ReplaysWithSameContentAndOrder(string stored, string client)
    {
        var live = stored == "openai" ? OpenAiStream() : AnthropicStream();
        var entry = new CacheEntry(stored == "openai" ? CacheFormat.OpenAiChat : CacheFormat.AnthropicMessage, 0, 12, 7, "my-gpt",
            stored == "openai" ? OpenAiStreamAssembler.Assemble(Encoding.UTF8.GetBytes(live), Usage) : AnthropicStreamAssembler.Assemble(Encoding.UTF8.GetBytes(live), Usage));

        using var output = new PooledBufferWriter();
        var usage = client == "openai"
            ? StreamReplay.Write(entry, new OpenAiChunkEncoder(ModelJson, true, TimeProvider.System), output)
            : StreamReplay.Write(entry, new AnthropicEventEncoder(ModelJson, 12), output);
        var replayed = Encoding.UTF8.GetString(output.WrittenSpan);

        Assert.Equal(Usage.PromptTokens, usage.PromptTokens);
        Assert.Equal(Usage.CompletionTokens, usage.CompletionTokens);
        var expected = client == "openai" ? OpenAiStream() : AnthropicStream();
        Assert.Equal(StreamShape.Of(expected), StreamShape.Of(replayed));
        Assert.Equal(StreamShape.Text(expected), StreamShape.Text(replayed));
        Assert.Equal(StreamShape.Arguments(expected), StreamShape.Arguments(replayed));
    }
}

using System.Buffers;
using System.Text;
using BenchmarkDotNet.Attributes;
using EdgeGw.Buffers;
using EdgeGw.Providers.Anthropic;
using EdgeGw.Providers.OpenAi;
using EdgeGw.Streaming;

namespace EdgeGw.Bench;

/// <summary>Anthropic upstream → OpenAI client: SSE parse + event decode + chunk encode, per event.</summary>
public class AnthropicToOpenAiBenchmarks
{
    private static readonly byte[] ModelJson = "\"claude\""u8.ToArray();
    private byte[] _text = [];
    private byte[] _tools = [];
    private readonly PooledBufferWriter _output = new(1 << 20);

    [GlobalSetup]
    public void Setup()
    {
        _text = AnthropicStreams.Text();
        _tools = AnthropicStreams.ToolCall();
    }

    [Benchmark(OperationsPerInvoke = AnthropicStreams.Events + AnthropicStreams.Framing)]
    public int TextStreamPerEvent() => Run(_text);

    [Benchmark(OperationsPerInvoke = AnthropicStreams.Events + AnthropicStreams.Framing)]
    public int ToolStreamPerEvent() => Run(_tools);

    private int Run(byte[] stream)
    {
        _output.Reset();
        using var parser = new SseParser();
        var decoder = new AnthropicStreamDecoder<OpenAiChunkEncoder>(
            new OpenAiChunkEncoder(ModelJson, clientWantsUsage: true, TimeProvider.System), "bench", null, jsonMode: false);
        var buffer = new ReadOnlySequence<byte>(stream);
        while (parser.TryRead(ref buffer, out var sseEvent))
        {
            if (!decoder.OnEvent(sseEvent, _output))
                break;
        }
        return _output.WrittenCount;
    }
}

/// <summary>Synthetic Anthropic Messages streams in the API's framing, built in memory.</summary>
public static class AnthropicStreams
{
    public const int Events = 1024; // long enough that per-stream setup (~0.8 KB) rounds to 0 B per event
    /// <summary>message_start, content_block_start, content_block_stop, message_delta, message_stop.</summary>
    public const int Framing = 5;

    private const string Start = "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_01BenchStream\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-sonnet-4-5\",\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":25,\"cache_creation_input_tokens\":0,\"cache_read_input_tokens\":0,\"output_tokens\":1,\"service_tier\":\"standard\"}}}\n\n";
    private const string End = "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\nevent: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":64}}\n\nevent: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";

    public static byte[] Text(int events = Events)
    {
        var sb = new StringBuilder(Start);
        sb.Append("event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n");
        for (var i = 0; i < events; i++)
            sb.Append("event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\" token")
              .Append(i).Append("\"}}\n\n");
        return Encoding.UTF8.GetBytes(sb.Append(End).ToString());
    }

    public static byte[] ToolCall(int events = Events)
    {
        var sb = new StringBuilder(Start);
        sb.Append("event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"tool_use\",\"id\":\"toolu_01Bench\",\"name\":\"get_weather\",\"input\":{}}}\n\n");
        for (var i = 0; i < events; i++)
            sb.Append("event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"{\\\"k")
              .Append(i).Append("\\\": \"}}\n\n");
        return Encoding.UTF8.GetBytes(sb.Append(End.Replace("end_turn", "tool_use", StringComparison.Ordinal)).ToString());
    }
}

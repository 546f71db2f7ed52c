using System.Buffers;
using System.Text;
using BenchmarkDotNet.Attributes;
using EdgeGw.Buffers;
using EdgeGw.Providers.Ollama;
using EdgeGw.Providers.OpenAi;
using EdgeGw.Streaming;

namespace EdgeGw.Bench;

/// <summary>Ollama <c>/api/chat</c> upstream → OpenAI client: NDJSON framing + Ollama decode + OpenAI chunk encode, per line.</summary>
public class OllamaToOpenAiBenchmarks
{
    private const int Lines = 1024; // long enough that per-stream setup rounds to 0 B per line
    private static readonly byte[] ModelJson = "\"llama-chat\""u8.ToArray();
    private byte[] _text = [];
    private byte[] _mixed = [];
    private readonly PooledBufferWriter _output = new(1 << 20);

    [GlobalSetup]
    public void Setup()
    {
        _text = Stream(toolCallEvery: 0);
        _mixed = Stream(toolCallEvery: 8);
    }

    [Benchmark(OperationsPerInvoke = Lines + 1)]
    public int TextStreamPerLine() => Run(_text);

    /// <summary>Every 8th line a whole tool call: its arguments object escaped into an OpenAI arguments string.</summary>
    [Benchmark(OperationsPerInvoke = Lines + 1)]
    public int ToolCallMixPerLine() => Run(_mixed);

    private int Run(byte[] stream)
    {
        _output.Reset();
        using var framer = new NdjsonFramer();
        var decoder = new OllamaStreamDecoder<OpenAiChunkEncoder>(new OpenAiChunkEncoder(ModelJson, clientWantsUsage: true, TimeProvider.System), "bench");
        var buffer = new ReadOnlySequence<byte>(stream);
        while (framer.TryRead(ref buffer, out var line) && decoder.OnEvent(line, _output))
        {
        }
        decoder.OnEnd(_output);
        return _output.WrittenCount;
    }

    private static byte[] Stream(int toolCallEvery)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < Lines; i++)
        {
            sb.Append("{\"model\":\"llama3.2\",\"created_at\":\"2026-11-30T10:00:00.123456Z\",\"message\":{\"role\":\"assistant\",");
            if (toolCallEvery > 0 && i % toolCallEvery == 0)
                sb.Append("\"content\":\"\",\"tool_calls\":[{\"function\":{\"name\":\"get_weather\",\"arguments\":{\"city\":\"Paris\",\"units\":\"c\",\"days\":").Append(i % 7).Append("}}}]");
            else
                sb.Append("\"content\":\" token").Append(i).Append('"');
            sb.Append("},\"done\":false}\n");
        }
        sb.Append("{\"model\":\"llama3.2\",\"created_at\":\"2026-11-30T10:00:09Z\",\"message\":{\"role\":\"assistant\",\"content\":\"\"},\"done_reason\":\"stop\",\"done\":true,\"total_duration\":4883583458,\"prompt_eval_count\":26,\"eval_count\":")
          .Append(Lines).Append(",\"eval_duration\":4535599000}\n");
        return Encoding.UTF8.GetBytes(sb.ToString());
    }
}

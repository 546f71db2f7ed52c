using System.Buffers.Text;
using EdgeGw.Api;
using EdgeGw.Json;
using EdgeGw.Streaming;

namespace EdgeGw.Providers.OpenAi;

/// <summary>
/// Writes OpenAI <c>chat.completion.chunk</c> events by hand from byte constants: the fixed head
/// (<c>id</c>, <c>object</c>, <c>created</c>, <c>model</c>) is built once per stream, each event
/// adds only its delta. No allocation per event.
/// </summary>
internal sealed class OpenAiChunkEncoder(byte[] modelJson, bool clientWantsUsage, TimeProvider time) : IChatStreamEncoder
{
    public long GeneratedBytes { get; private set; }

    private byte[] _head = [];
    private bool _roleSent;

    private void EnsureHead(ReadOnlySpan<byte> id)
    {
        if (_head.Length > 0)
            return;
        var head = new HeadBuilder();
        head.Write("data: {\"id\":\""u8);
        if (id.IsEmpty)
        {
            head.Write("chatcmpl-"u8);
            Span<byte> hex = stackalloc byte[32];
            Guid.NewGuid().TryFormat(hex, out var written, "N");
            head.Write(hex[..written]);
        }
        else
        {
            head.Write(id);
        }
        head.Write("\",\"object\":\"chat.completion.chunk\",\"created\":"u8);
        head.WriteNumber(time.GetUtcNow().ToUnixTimeSeconds());
        head.Write(",\"model\":"u8);
        head.Write(modelJson);
        head.Write(",\"choices\":["u8);
        _head = head.ToArray();
    }

    public void Start(IBufferWriter<byte> output, ReadOnlySpan<byte> id)
    {
        EnsureHead(id);
        if (_roleSent)
            return;
        _roleSent = true;
        Begin(output, 0);
        output.Write("{\"role\":\"assistant\",\"content\":\"\"}"u8);
        EndChoice(output, FinishReason.None);
    }

    private void EnsureStarted(IBufferWriter<byte> output)
    {
        if (!_roleSent)
            Start(output, default);
    }

    public void Text(IBufferWriter<byte> output, int choice, ReadOnlySpan<byte> text)
    {
        GeneratedBytes += text.Length;
        EnsureStarted(output);
        Begin(output, choice);
        output.Write("{\"content\":\""u8);
        output.Write(text);
        output.Write("\"}"u8);
        EndChoice(output, FinishReason.None);
    }

    public void Reasoning(IBufferWriter<byte> output, int choice, ReadOnlySpan<byte> text)
    {
        GeneratedBytes += text.Length;
        EnsureStarted(output);
        Begin(output, choice);
        output.Write("{\"reasoning_content\":\""u8); // LiteLLM's field for thinking text
        output.Write(text);
        output.Write("\"}"u8);
        EndChoice(output, FinishReason.None);
    }

    public void ToolCallStart(IBufferWriter<byte> output, int choice, int index, ReadOnlySpan<byte> id, ReadOnlySpan<byte> name)
    {
        EnsureStarted(output);
        Begin(output, choice);
        output.Write("{\"tool_calls\":[{\"index\":"u8);
        WriteNumber(output, index);
        output.Write(",\"id\":\""u8);
        output.Write(id);
        output.Write("\",\"type\":\"function\",\"function\":{\"name\":\""u8);
        output.Write(name);
        output.Write("\",\"arguments\":\"\"}}]}"u8);
        EndChoice(output, FinishReason.None);
    }

    public void ToolArguments(IBufferWriter<byte> output, int choice, int index, ReadOnlySpan<byte> fragment)
    {
        GeneratedBytes += fragment.Length;
        EnsureStarted(output);
        Begin(output, choice);
        output.Write("{\"tool_calls\":[{\"index\":"u8);
        WriteNumber(output, index);
        output.Write(",\"function\":{\"arguments\":\""u8);
        output.Write(fragment);
        output.Write("\"}}]}"u8);
        EndChoice(output, FinishReason.None);
    }

    public void Finish(IBufferWriter<byte> output, int choice, FinishReason reason)
    {
        Observability.Otel.GenAiAnswer.Finished(reason);
        EnsureStarted(output);
        Begin(output, choice);
        output.Write("{}"u8);
        EndChoice(output, reason);
    }

    public void Done(IBufferWriter<byte> output, in Usage usage)
    {
        EnsureStarted(output);
        if (clientWantsUsage)
        {
            output.Write(_head);
            output.Write("],\"usage\":"u8);
            UsageJson.WriteOpenAi(output, usage);
            output.Write("}\n\n"u8);
        }
        output.Write("data: [DONE]\n\n"u8);
    }

    public void Error(IBufferWriter<byte> output, GatewayError error) => ErrorWriter.WriteOpenAiSseEvent(output, error);

    private void Begin(IBufferWriter<byte> output, int choice)
    {
        output.Write(_head);
        output.Write("{\"index\":"u8);
        WriteNumber(output, choice);
        output.Write(",\"delta\":"u8);
    }

    private static void EndChoice(IBufferWriter<byte> output, FinishReason reason)
    {
        output.Write(reason switch
        {
            FinishReason.None => ",\"logprobs\":null,\"finish_reason\":null}]}\n\n"u8,
            FinishReason.Stop => ",\"logprobs\":null,\"finish_reason\":\"stop\"}]}\n\n"u8,
            FinishReason.Length => ",\"logprobs\":null,\"finish_reason\":\"length\"}]}\n\n"u8,
            FinishReason.ToolCalls => ",\"logprobs\":null,\"finish_reason\":\"tool_calls\"}]}\n\n"u8,
            _ => ",\"logprobs\":null,\"finish_reason\":\"content_filter\"}]}\n\n"u8,
        });
    }

    private static void WriteNumber(IBufferWriter<byte> output, long value)
    {
        var span = output.GetSpan(20);
        Utf8Formatter.TryFormat(value, span, out var written);
        output.Advance(written);
    }

    /// <summary>Builds the per-stream head once; the only allocation an encoded stream makes.</summary>
    private ref struct HeadBuilder
    {
        private byte[] _buffer;
        private int _length;

        public HeadBuilder() => _buffer = new byte[256];

        public void Write(scoped ReadOnlySpan<byte> bytes)
        {
            if (_length + bytes.Length > _buffer.Length)
                Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + bytes.Length));
            bytes.CopyTo(_buffer.AsSpan(_length));
            _length += bytes.Length;
        }

        public void WriteNumber(long value)
        {
            Span<byte> digits = stackalloc byte[20];
            Utf8Formatter.TryFormat(value, digits, out var written);
            Write(digits[..written]);
        }

        public readonly byte[] ToArray() => _buffer.AsSpan(0, _length).ToArray();
    }
}

using EdgeGw.Json;
using EdgeGw.Streaming;

namespace EdgeGw.Api.Completions;

/// <summary>
/// Canonical stream events → legacy <c>text_completion</c> chunks (<c>/v1/completions</c> on a
/// bridged model): <c>data: {"object":"text_completion","choices":[{"text":…}]}</c> per delta, a
/// chunk with the finish reason, the usage chunk when asked for, then <c>data: [DONE]</c>. The
/// fixed head is built once per stream; no allocation per event. Reasoning and tool calls have no
/// place in this format and are left out (their bytes still count toward the usage estimate).
/// </summary>
internal sealed class TextCompletionEncoder(byte[] modelJson, bool clientWantsUsage, TimeProvider time) : IChatStreamEncoder
{
    private byte[] _head = [];

    public long GeneratedBytes { get; private set; }

    public void Start(IBufferWriter<byte> output, ReadOnlySpan<byte> id)
    {
        if (_head.Length > 0)
            return;
        var head = new ArrayBufferWriter<byte>(160);
        head.Write("data: {\"id\":\"cmpl-"u8);
        Span<byte> hex = stackalloc byte[32];
        Guid.NewGuid().TryFormat(hex, out var written, "N");
        head.Write(hex[..written]);
        head.Write("\",\"object\":\"text_completion\",\"created\":"u8);
        UsageJson.WriteNumber(head, time.GetUtcNow().ToUnixTimeSeconds());
        head.Write(",\"model\":"u8);
        head.Write(modelJson);
        head.Write(",\"choices\":["u8);
        _head = head.WrittenSpan.ToArray();
    }

    public void Text(IBufferWriter<byte> output, int choice, ReadOnlySpan<byte> text)
    {
        GeneratedBytes += text.Length;
        if (text.IsEmpty)
            return;
        Start(output, default);
        output.Write(_head);
        output.Write("{\"text\":\""u8);
        output.Write(text);
        output.Write("\",\"index\":"u8);
        UsageJson.WriteNumber(output, choice);
        output.Write(",\"logprobs\":null,\"finish_reason\":null}]}\n\n"u8);
    }

    public void Reasoning(IBufferWriter<byte> output, int choice, ReadOnlySpan<byte> text) => GeneratedBytes += text.Length;

    public void ToolCallStart(IBufferWriter<byte> output, int choice, int index, ReadOnlySpan<byte> id, ReadOnlySpan<byte> name)
    {
    }

    public void ToolArguments(IBufferWriter<byte> output, int choice, int index, ReadOnlySpan<byte> fragment) => GeneratedBytes += fragment.Length;

    public void Finish(IBufferWriter<byte> output, int choice, FinishReason reason)
    {
        Start(output, default);
        output.Write(_head);
        output.Write("{\"text\":\"\",\"index\":"u8);
        UsageJson.WriteNumber(output, choice);
        output.Write(",\"logprobs\":null,\"finish_reason\":\""u8);
        // A text completion has no tool calls: a model that wanted one simply stopped.
        output.Write(reason == FinishReason.ToolCalls ? "stop"u8 : FinishReasonText.OpenAi(reason));
        output.Write("\"}]}\n\n"u8);
    }

    public void Done(IBufferWriter<byte> output, in Usage usage)
    {
        Start(output, default);
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
}

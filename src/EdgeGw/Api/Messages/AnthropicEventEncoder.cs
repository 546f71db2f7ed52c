using System.Buffers.Text;
using EdgeGw.Json;
using EdgeGw.Streaming;

namespace EdgeGw.Api.Messages;

/// <summary>
/// Canonical stream events → Anthropic's Messages stream, exactly its event sequence:
/// <code>
///   message_start → (content_block_start → content_block_delta* → content_block_stop)* → message_delta → message_stop
/// </code>
/// Every event carries both its <c>event:</c> line and the matching JSON <c>type</c> (the official
/// SDKs ignore events without the line). Blocks are opened in index order and closed before the
/// next opens; only choice 0 is sent, since an Anthropic message has one.
/// </summary>
internal sealed class AnthropicEventEncoder(byte[] modelJson, long estimatedInputTokens) : IChatStreamEncoder
{
    public long GeneratedBytes { get; private set; }

    private enum Block : byte { None, Text, Thinking, Tool }

    private bool _started;
    private Block _open;
    private int _nextIndex;
    private int _openToolIndex = -1;
    private FinishReason _finish;

    public void Start(IBufferWriter<byte> output, ReadOnlySpan<byte> id)
    {
        if (_started)
            return;
        _started = true;
        output.Write("event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\""u8);
        if (id.IsEmpty)
        {
            output.Write("msg_"u8);
            var span = output.GetSpan(32);
            Guid.NewGuid().TryFormat(span, out var written, "N");
            output.Advance(written);
        }
        else
        {
            output.Write(id);
        }
        output.Write("\",\"type\":\"message\",\"role\":\"assistant\",\"model\":"u8);
        output.Write(modelJson);
        output.Write(",\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":"u8);
        WriteNumber(output, estimatedInputTokens);
        output.Write(",\"output_tokens\":0}}}\n\n"u8);
    }

    public void Text(IBufferWriter<byte> output, int choice, ReadOnlySpan<byte> text)
    {
        GeneratedBytes += text.Length;
        if (choice != 0 || text.IsEmpty)
            return;
        Open(output, Block.Text, -1, default, default);
        Delta(output, "{\"type\":\"text_delta\",\"text\":\""u8, text);
    }

    public void Reasoning(IBufferWriter<byte> output, int choice, ReadOnlySpan<byte> text)
    {
        GeneratedBytes += text.Length;
        if (choice != 0 || text.IsEmpty)
            return;
        Open(output, Block.Thinking, -1, default, default);
        Delta(output, "{\"type\":\"thinking_delta\",\"thinking\":\""u8, text);
    }

    /// <summary>The open thinking block's signature: a replayed cached answer has it whole (clients send it back next turn).</summary>
    public void Signature(IBufferWriter<byte> output, ReadOnlySpan<byte> signature)
    {
        if (_open == Block.Thinking && !signature.IsEmpty)
            Delta(output, "{\"type\":\"signature_delta\",\"signature\":\""u8, signature);
    }

    public void ToolCallStart(IBufferWriter<byte> output, int choice, int index, ReadOnlySpan<byte> id, ReadOnlySpan<byte> name)
    {
        if (choice != 0)
            return;
        Open(output, Block.Tool, index, id, name);
    }

    public void ToolArguments(IBufferWriter<byte> output, int choice, int index, ReadOnlySpan<byte> fragment)
    {
        GeneratedBytes += fragment.Length;
        // Anthropic blocks cannot interleave; upstreams stream one call's arguments after another,
        // so a fragment for any call but the open one has no block to go to.
        if (choice != 0 || _open != Block.Tool || index != _openToolIndex || fragment.IsEmpty)
            return;
        Delta(output, "{\"type\":\"input_json_delta\",\"partial_json\":\""u8, fragment);
    }

    public void Finish(IBufferWriter<byte> output, int choice, FinishReason reason)
    {
        if (choice != 0)
            return;
        Close(output);
        _finish = reason;
        Observability.Otel.GenAiAnswer.Finished(reason);
    }

    public void Done(IBufferWriter<byte> output, in Usage usage)
    {
        Start(output, default);
        Close(output);
        output.Write("event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":"u8);
        output.Write(_finish switch
        {
            FinishReason.Length => "\"max_tokens\""u8,
            FinishReason.ToolCalls => "\"tool_use\""u8,
            FinishReason.ContentFilter => "\"refusal\""u8,
            _ => "\"end_turn\""u8,
        });
        output.Write(",\"stop_sequence\":null},\"usage\":"u8);
        if (usage.Present)
            UsageJson.WriteAnthropic(output, usage);
        else
            UsageJson.WriteAnthropic(output, usage, estimatedInputTokens);
        output.Write("}\n\nevent: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"u8);
    }

    public void Error(IBufferWriter<byte> output, Api.GatewayError error) => AnthropicErrors.WriteSseEvent(output, error);

    private void Open(IBufferWriter<byte> output, Block kind, int toolIndex, ReadOnlySpan<byte> id, ReadOnlySpan<byte> name)
    {
        Start(output, default);
        if (_open == kind && kind != Block.Tool)
            return;
        Close(output);
        _open = kind;
        _openToolIndex = toolIndex;
        output.Write("event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":"u8);
        WriteNumber(output, _nextIndex);
        switch (kind)
        {
            case Block.Text:
                output.Write(",\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n"u8);
                break;
            case Block.Thinking:
                output.Write(",\"content_block\":{\"type\":\"thinking\",\"thinking\":\"\",\"signature\":\"\"}}\n\n"u8);
                break;
            default:
                output.Write(",\"content_block\":{\"type\":\"tool_use\",\"id\":\""u8);
                output.Write(id);
                output.Write("\",\"name\":\""u8);
                output.Write(name);
                output.Write("\",\"input\":{}}}\n\n"u8);
                break;
        }
    }

    private void Close(IBufferWriter<byte> output)
    {
        if (_open == Block.None)
            return;
        output.Write("event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":"u8);
        WriteNumber(output, _nextIndex);
        output.Write("}\n\n"u8);
        _open = Block.None;
        _openToolIndex = -1;
        _nextIndex++;
    }

    private void Delta(IBufferWriter<byte> output, ReadOnlySpan<byte> head, ReadOnlySpan<byte> text)
    {
        output.Write("event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":"u8);
        WriteNumber(output, _nextIndex);
        output.Write(",\"delta\":"u8);
        output.Write(head);
        output.Write(text);
        output.Write("\"}}\n\n"u8);
    }

    private static void WriteNumber(IBufferWriter<byte> output, long value)
    {
        var span = output.GetSpan(20);
        Utf8Formatter.TryFormat(value, span, out var written);
        output.Advance(written);
    }
}

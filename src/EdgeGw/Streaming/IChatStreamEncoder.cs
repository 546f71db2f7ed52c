using EdgeGw.Api;
using EdgeGw.Json;

namespace EdgeGw.Streaming;

/// <summary>
/// The canonical stream event model. Upstream decoders (one per provider format) call these as
/// events arrive; client encoders (one per client format) write the client's bytes. Text, ids and
/// names are passed as JSON string content — escaped as JSON requires, without quotes — so they
/// are copied between formats without decoding and re-encoding.
/// </summary>
internal interface IChatStreamEncoder
{
    /// <summary>The message begins; <paramref name="id"/> is the upstream's message id (may be empty).</summary>
    void Start(IBufferWriter<byte> output, ReadOnlySpan<byte> id);

    void Text(IBufferWriter<byte> output, int choice, ReadOnlySpan<byte> text);

    void Reasoning(IBufferWriter<byte> output, int choice, ReadOnlySpan<byte> text);

    void ToolCallStart(IBufferWriter<byte> output, int choice, int index, ReadOnlySpan<byte> id, ReadOnlySpan<byte> name);

    void ToolArguments(IBufferWriter<byte> output, int choice, int index, ReadOnlySpan<byte> fragment);

    void Finish(IBufferWriter<byte> output, int choice, FinishReason reason);

    /// <summary>The natural end of the stream, with the final usage.</summary>
    void Done(IBufferWriter<byte> output, in Usage usage);

    /// <summary>Ends the stream with an in-band error.</summary>
    void Error(IBufferWriter<byte> output, GatewayError error);

    /// <summary>Escaped bytes of text, reasoning and tool arguments handed in so far: the estimate's basis when usage never comes.</summary>
    long GeneratedBytes { get; }
}

namespace EdgeGw.Streaming;

/// <summary>One dispatched server-sent event; the spans are valid until the parser's next call.</summary>
internal readonly ref struct SseEvent(ReadOnlySpan<byte> eventType, ReadOnlySpan<byte> data)
{
    /// <summary>The <c>event:</c> field, empty when the event had none.</summary>
    public ReadOnlySpan<byte> EventType { get; } = eventType;
    /// <summary>The <c>data:</c> lines joined with LF.</summary>
    public ReadOnlySpan<byte> Data { get; } = data;
}

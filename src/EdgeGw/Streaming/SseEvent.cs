namespace EdgeGw.Streaming;

/// <summary>One dispatched server-sent event; the spans are valid until the parser's next call.</summary>
internal readonly ref struct SseEvent(ReadOnlySpan<byte> eventType, ReadOnlySpan<byte> data, SseEventKind kind = SseEventKind.Event)
{
    /// <summary>The <c>event:</c> field, empty when the event had none.</summary>
    public ReadOnlySpan<byte> EventType { get; } = eventType;
    /// <summary>The <c>data:</c> lines joined with LF.</summary>
    public ReadOnlySpan<byte> Data { get; } = data;
    /// <summary>Always <see cref="SseEventKind.Event"/> for SSE and NDJSON; a failure frame of the AWS event stream otherwise.</summary>
    public SseEventKind Kind { get; } = kind;
}

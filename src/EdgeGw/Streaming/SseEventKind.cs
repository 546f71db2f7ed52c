namespace EdgeGw.Streaming;

/// <summary>
/// What an <see cref="SseEvent"/> carries. SSE and NDJSON only have <see cref="Event"/>; the AWS
/// event stream also frames a modelled failure (<see cref="Exception"/>) and a protocol-level one
/// (<see cref="Error"/>) in the same 200 stream, told apart by a header rather than by the payload.
/// </summary>
internal enum SseEventKind : byte
{
    /// <summary>An ordinary event: its type and data.</summary>
    Event,
    /// <summary>AWS <c>:message-type: exception</c>: the exception type and its JSON payload (<c>{"message":"…"}</c>).</summary>
    Exception,
    /// <summary>AWS <c>:message-type: error</c>: the <c>:error-code</c> and the <c>:error-message</c> text.</summary>
    Error,
}

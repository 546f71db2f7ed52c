namespace EdgeGw.Streaming;

/// <summary>
/// Wire constants of <c>application/vnd.amazon.eventstream</c> (Smithy's event-stream codec): the
/// frame layout and the header names and value types <see cref="AwsEventStreamFramer"/> reads.
/// </summary>
internal static class AwsEventStream
{
    public const string ContentType = "application/vnd.amazon.eventstream";

    /// <summary>Total length, headers length and the CRC32 of those 8 bytes, all big-endian.</summary>
    public const int PreludeBytes = 12;
    /// <summary>The CRC32 of the whole frame before it, at its end.</summary>
    public const int MessageCrcBytes = 4;
    /// <summary>A frame with no headers and no payload.</summary>
    public const int MinFrameBytes = PreludeBytes + MessageCrcBytes;

    public static ReadOnlySpan<byte> MessageTypeHeader => ":message-type"u8;
    public static ReadOnlySpan<byte> EventTypeHeader => ":event-type"u8;
    public static ReadOnlySpan<byte> ExceptionTypeHeader => ":exception-type"u8;
    public static ReadOnlySpan<byte> ErrorCodeHeader => ":error-code"u8;
    public static ReadOnlySpan<byte> ErrorMessageHeader => ":error-message"u8;

    public static ReadOnlySpan<byte> EventMessage => "event"u8;
    public static ReadOnlySpan<byte> ExceptionMessage => "exception"u8;
    public static ReadOnlySpan<byte> ErrorMessage => "error"u8;

    /// <summary>Header value types; each is followed by its value, big-endian where numeric.</summary>
    public enum ValueType : byte
    {
        BoolTrue = 0,   // no value bytes
        BoolFalse = 1,  // no value bytes
        Byte = 2,       // 1
        Short = 3,      // 2
        Int = 4,        // 4
        Long = 5,       // 8
        Bytes = 6,      // uint16 length, then the bytes
        String = 7,     // uint16 length, then UTF-8
        Timestamp = 8,  // int64 milliseconds since the epoch
        Uuid = 9,       // 16
    }

    /// <summary>
    /// True for a failure frame (<c>:message-type</c> <c>exception</c> or <c>error</c>): its
    /// <see cref="SseEvent.EventType"/> is the exception type or error code, not an event name.
    /// </summary>
    public static bool IsException(in SseEvent sseEvent) => sseEvent.Kind != SseEventKind.Event;
}

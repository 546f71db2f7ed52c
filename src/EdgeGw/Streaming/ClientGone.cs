namespace EdgeGw.Streaming;

/// <summary>Why a stream's client stopped getting it before its end, if it did.</summary>
internal enum ClientGone : byte
{
    No,
    /// <summary>The client closed the connection.</summary>
    Disconnected,
    /// <summary>The client stopped reading: a write waited past the stream write timeout and the connection was aborted.</summary>
    Stalled,
}

namespace EdgeGw.Streaming;

/// <summary>
/// A frame of an AWS event stream failed its checks (a prelude or message CRC mismatch, an
/// impossible length, a header running past its frame) or the stream ended inside a frame. The
/// bytes after a bad frame cannot be trusted to start a frame, so the stream ends there.
/// </summary>
internal sealed class AwsEventStreamException(string reason) : StreamFramingException("the event stream " + reason)
{
}

namespace EdgeGw.Streaming;

/// <summary>
/// The upstream's bytes cannot be cut into events (an event past the cap, a corrupt or truncated
/// binary frame): the relay ends the stream with an in-band error naming the reason.
/// </summary>
internal abstract class StreamFramingException(string message) : Exception(message)
{
}

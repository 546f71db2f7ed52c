namespace EdgeGw.Streaming;

/// <summary>
/// An upstream stream event (or a line still without its end) grew past
/// <see cref="IEventFramer.MaxEventBytes"/>: the relay ends the stream with an in-band error
/// rather than buffer without bound.
/// </summary>
internal sealed class EventTooLargeException(long limitBytes)
    : StreamFramingException($"the stream sent an event over the {limitBytes / (1024 * 1024)} MB event cap")
{
}

using System.Buffers;
using EdgeGw.Api;
using EdgeGw.Json;

namespace EdgeGw.Streaming;

/// <summary>
/// Turns upstream SSE events into the client's stream, one event at a time, writing straight into
/// the response. One instance per stream; implementations keep their state in fields, not
/// per-event objects.
/// </summary>
internal interface IStreamTranslator
{
    /// <summary>Handles one upstream event; returns false once the stream is over (done or failed).</summary>
    bool OnEvent(in SseEvent sseEvent, IBufferWriter<byte> output);

    /// <summary>
    /// Called when the upstream body ends or the relay stops; writes whatever closes the client's
    /// stream, including an error event when the upstream stopped before its natural end.
    /// </summary>
    void OnEnd(IBufferWriter<byte> output);

    /// <summary>Ends the client's stream with <paramref name="error"/> in the client's in-band error shape.</summary>
    void Fail(GatewayError error, IBufferWriter<byte> output);

    /// <summary>Usage captured from the stream, for accounting.</summary>
    Usage Usage { get; }

    /// <summary>Escaped bytes of generated text seen so far: billed as an estimate when the usage never comes.</summary>
    long GeneratedBytes { get; }

    /// <summary>The failure the client was told about in-band, if any.</summary>
    GatewayError? Error { get; }
}

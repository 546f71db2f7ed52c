using System.Diagnostics;
using System.IO.Pipelines;
using EdgeGw.Buffers;
using EdgeGw.Json;

namespace EdgeGw.Streaming;

/// <summary>
/// Reads on a stream whose client went away, to the usage its upstream sends at the end (OpenAI
/// sends it in the last chunk, Anthropic in <c>message_delta</c>): the provider bills what it
/// generated whether the client read it or not, and so does the gateway. Bounded in time
/// (<see cref="StreamLimits.DrainTime"/>, each read by <c>stream_timeout</c>) and bytes
/// (<c>max_response_size_mb</c>); past a bound, or when the upstream fails, the caller bills an estimate.
/// </summary>
internal static class StreamDrain
{
    /// <summary>True when the upstream's stream ended (its usage, if it sends one, read); false when a bound or a failure stopped it.</summary>
    public static async ValueTask<bool> ToEndAsync<TFramer, TTranslator>(PipeReader reader, TFramer framer, TTranslator translator,
        RelayCancellation cancel, TimeSpan streamTimeout, StreamLimits limits, long maxBytes)
        where TFramer : IEventFramer
        where TTranslator : IStreamTranslator
    {
        using var sink = new DiscardingWriter();
        var started = Stopwatch.GetTimestamp();
        long bytes = 0;
        try
        {
            var running = true;
            while (running)
            {
                var left = limits.DrainTime - Stopwatch.GetElapsedTime(started);
                if (left <= TimeSpan.Zero || bytes > maxBytes)
                    return false;
                var read = await reader.ReadAsync(cancel.Read(left < streamTimeout ? left : streamTimeout));
                var buffer = read.Buffer;
                while (running && framer.TryRead(ref buffer, out var sseEvent))
                    running = translator.OnEvent(sseEvent, sink);
                bytes += read.Buffer.Length - buffer.Length;
                if (running && read.IsCompleted)
                {
                    if (framer.TryFinish(buffer, out var last))
                        translator.OnEvent(last, sink);
                    buffer = buffer.Slice(buffer.End);
                    running = false;
                }
                reader.AdvanceTo(buffer.Start, buffer.End);
            }
            translator.OnEnd(sink);
            return translator.Error is null;
        }
        catch (Exception e) when (e is OperationCanceledException or StreamFramingException or IOException or HttpRequestException)
        {
            return false;
        }
    }

    /// <summary>
    /// What an abandoned stream is billed when its usage never came: the upstream's counts so far,
    /// completion at least the generated text seen (4 bytes a token); a prompt left 0 is estimated by the caller.
    /// </summary>
    public static Usage Estimate(Usage usage, long generatedBytes)
    {
        usage.CompletionTokens = Math.Max(usage.CompletionTokens, GeneratedText.EstimateTokens(generatedBytes));
        usage.Present = true;
        usage.Estimated = true;
        return usage;
    }
}

using System.Buffers;
using System.Text.Json;
using EdgeGw.Streaming;

namespace EdgeGw.Cache;

/// <summary>Reads one chunk's <c>data:</c> JSON into <paramref name="state"/>; false refuses the stream (an error event).</summary>
internal delegate bool ChunkReader<TState>(ReadOnlySpan<byte> data, TState state);

/// <summary>What an OpenAI-style stream's chunks add up to: the first id, model and creation time, and each choice.</summary>
internal sealed class ChunkParts<TChoice>
{
    public byte[] Id = [], Model = [];
    public long Created;
    public readonly List<TChoice> Choices = [];
}

/// <summary>The walk the OpenAI-style assemblers share over a captured stream: every chunk up to <c>data: [DONE]</c>.</summary>
internal static class CapturedSse
{
    /// <returns>True when the stream reached <c>[DONE]</c> and every chunk before it was read; false for a cut, refused or malformed one.</returns>
    public static bool ReadToDone<TState>(ReadOnlyMemory<byte> sse, TState state, ChunkReader<TState> read)
    {
        using var parser = new SseParser();
        var buffer = new ReadOnlySequence<byte>(sse);
        try
        {
            while (parser.TryRead(ref buffer, out var sseEvent))
            {
                if (sseEvent.Data.SequenceEqual("[DONE]"u8))
                    return true;
                if (!read(sseEvent.Data, state))
                    return false;
            }
        }
        catch (JsonException)
        {
            return false;
        }
        return false;
    }
}

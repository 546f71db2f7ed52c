using System.IO.Pipelines;
using System.Text;
using EdgeGw.Streaming;

namespace EdgeGw.Tests.Streaming;

/// <summary>One parsed event as the test sees it: type and data, decoded strictly as UTF-8; the kind ("Event" but for AWS failure frames).</summary>
public sealed record ParsedEvent(string Type, string Data, string Kind = "Event")
{
    public override string ToString() => Kind == "Event" ? $"[{Type}] {Data}" : $"{Kind} [{Type}] {Data}";
}

/// <summary>Drives <see cref="SseParser"/> (or another <see cref="IEventFramer"/>) the way <see cref="SseRelay"/> does.</summary>
internal static class SseParsing
{
    private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static List<ParsedEvent> Whole(string text) => Whole(Encoding.UTF8.GetBytes(text));

    /// <summary>The whole stream as one buffer, then end of stream.</summary>
    public static List<ParsedEvent> Whole(byte[] bytes, Func<IEventFramer>? framer = null)
    {
        var events = new List<ParsedEvent>();
        using var parser = framer?.Invoke() ?? new SseParser();
        var buffer = new ReadOnlySequence<byte>(bytes);
        while (parser.TryRead(ref buffer, out var e))
            events.Add(Convert(e));
        if (parser.TryFinish(buffer, out var last))
            events.Add(Convert(last));
        return events;
    }

    /// <summary>
    /// The stream through a real <see cref="Pipe"/>, written in the pieces <paramref name="cuts"/>
    /// delimits (ascending offsets) and read after each flush, so every piece boundary is a read
    /// boundary; a tiny segment size makes lines span several buffer segments as well.
    /// </summary>
    public static async Task<List<ParsedEvent>> ThroughPipeAsync(byte[] bytes, IReadOnlyList<int> cuts, int segmentSize, Func<IEventFramer>? framer = null)
    {
        var pool = segmentSize > 0 ? new TinySegmentPool(segmentSize) : null;
        var pipe = new Pipe(new PipeOptions(pool: pool, minimumSegmentSize: Math.Max(segmentSize, 1), pauseWriterThreshold: 0, useSynchronizationContext: false));
        var events = new List<ParsedEvent>();
        using var parser = framer?.Invoke() ?? new SseParser();
        var start = 0;
        for (var i = 0; i <= cuts.Count; i++)
        {
            var end = i < cuts.Count ? cuts[i] : bytes.Length;
            pipe.Writer.Write(bytes.AsSpan(start, end - start));
            start = end;
            await pipe.Writer.FlushAsync();
            if (i == cuts.Count)
                await pipe.Writer.CompleteAsync();

            var read = await pipe.Reader.ReadAsync();
            var buffer = read.Buffer;
            while (parser.TryRead(ref buffer, out var e))
                events.Add(Convert(e));
            if (read.IsCompleted)
            {
                if (parser.TryFinish(buffer, out var last))
                    events.Add(Convert(last));
                buffer = buffer.Slice(buffer.End);
            }
            pipe.Reader.AdvanceTo(buffer.Start, buffer.End);
        }
        await pipe.Reader.CompleteAsync();
        return events;
    }

    private static ParsedEvent Convert(in SseEvent e) => new(Strict.GetString(e.EventType), Strict.GetString(e.Data), e.Kind.ToString());

    /// <summary>Hands the pipe segments of a fixed small size so lines cross segment boundaries.</summary>
    private sealed class TinySegmentPool(int size) : MemoryPool<byte>
    {
        public override int MaxBufferSize => size;

        public override IMemoryOwner<byte> Rent(int minBufferSize = -1) => new Owner(new byte[size]);

        protected override void Dispose(bool disposing)
        {
        }

        private sealed class Owner(byte[] array) : IMemoryOwner<byte>
        {
            public Memory<byte> Memory => array;

            public void Dispose()
            {
            }
        }
    }
}

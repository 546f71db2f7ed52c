using System.Text;
using EdgeGw.Streaming;

namespace EdgeGw.Tests.Streaming;

/// <summary>Ollama's NDJSON framing survives any split of the byte stream, as SSE parsing does.</summary>
public sealed class NdjsonFramerTests
{
    private const int Iterations = 300;
    private static readonly Func<IEventFramer> Framer = () => new NdjsonFramer();

    private static readonly string LongLine = "{\"long\":\"" + string.Concat(Enumerable.Repeat("é中😀x", 900)) + "\"}";

    private static readonly string Sample =
        "{\"message\":{\"content\":\"multi-byte é 中 😀\"},\"done\":false}\n"
        + "{\"b\":1}\r\n"
        + "\n"
        + " \t\r\n"
        + LongLine + "\n"
        + "{\"error\":\"last line, no newline\"}";

    private static readonly string[] Expected =
    [
        "{\"message\":{\"content\":\"multi-byte é 中 😀\"},\"done\":false}",
        "{\"b\":1}",
        LongLine,
        "{\"error\":\"last line, no newline\"}",
    ];

    [Fact]
    public void WholeBuffer_YieldsEachNonBlankLineWithoutItsEnd()
    {
        var events = SseParsing.Whole(Encoding.UTF8.GetBytes(Sample), Framer);

        Assert.Equal(Expected, events.Select(e => e.Data));
        Assert.All(events, e => Assert.Equal("", e.Type));
    }

    [Fact]
    public async Task AnySplitThroughPipe_FramesLikeWholeBuffer()
    {
        var bytes = Encoding.UTF8.GetBytes(Sample);
        var random = new Random(1234);
        var utf8Splits = 0;

        for (var iteration = 0; iteration < Iterations; iteration++)
        {
            var cuts = SseSplitPropertyTests.Cuts(bytes, random, iteration);
            utf8Splits += cuts.Count(c => (bytes[c] & 0xC0) == 0x80);
            var segmentSize = iteration % 3 == 0 ? 0 : random.Next(1, 40);

            var actual = (await SseParsing.ThroughPipeAsync(bytes, cuts, segmentSize, Framer)).Select(e => e.Data).ToList();

            if (!actual.SequenceEqual(Expected))
                Assert.Fail($"iteration {iteration}, segment {segmentSize}: got {actual.Count} lines: {string.Join(" | ", actual.Select(a => a.Length > 80 ? a[..80] + "…" : a))}");
        }

        Assert.True(utf8Splits > Iterations, "the cuts fell inside UTF-8 sequences");
    }
}

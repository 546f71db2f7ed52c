namespace EdgeGw.Tests.Streaming;

/// <summary>Issue 3: the SSE parser survives any split of the byte stream.</summary>
public sealed class SseSplitPropertyTests
{
    private const int Iterations = 400;

    public static TheoryData<string> Samples()
    {
        var data = new TheoryData<string>();
        foreach (var sample in SseStreams.All)
            data.Add(sample.Name);
        return data;
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void WholeBuffer_ParsesToExpectedEvents(string name)
    {
        var sample = SseStreams.All.Single(s => s.Name == name);

        Assert.Equal(sample.Expected, SseParsing.Whole(sample.Bytes));
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public async Task AnySplitThroughPipe_ParsesLikeWholeBuffer(string name)
    {
        var sample = SseStreams.All.Single(s => s.Name == name);
        var bytes = sample.Bytes;
        var expected = SseParsing.Whole(bytes);
        var random = new Random(HashCode(name));
        int crLfSplits = 0, utf8Splits = 0;

        for (var iteration = 0; iteration < Iterations; iteration++)
        {
            var cuts = Cuts(bytes, random, iteration);
            crLfSplits += cuts.Count(c => bytes[c - 1] == '\r' && bytes[c] == '\n');
            utf8Splits += cuts.Count(c => (bytes[c] & 0xC0) == 0x80);
            var segmentSize = iteration % 3 == 0 ? 0 : random.Next(1, 40);

            var actual = await SseParsing.ThroughPipeAsync(bytes, cuts, segmentSize);

            if (!actual.SequenceEqual(expected))
                Assert.Fail($"{name}, iteration {iteration}, segment {segmentSize}, cuts [{string.Join(",", cuts)}]:\n"
                    + $"expected {string.Join(" | ", expected)}\nactual   {string.Join(" | ", actual)}");
        }

        // The loop must really have cut inside UTF-8 sequences, and between CR and LF where there are any.
        Assert.True(utf8Splits > Iterations);
        if (bytes.AsSpan().IndexOf("\r\n"u8) >= 0)
            Assert.True(crLfSplits > Iterations);
    }

    /// <summary>
    /// Ascending cut offsets: every byte on its own, pieces of 1–3 bytes, random pieces up to 64
    /// bytes, or one cut at each CR-LF and UTF-8 continuation byte plus random ones.
    /// </summary>
    internal static List<int> Cuts(byte[] bytes, Random random, int iteration)
    {
        var cuts = new SortedSet<int>();
        switch (iteration % 4)
        {
            case 0:
                for (var i = 1; i < bytes.Length; i++)
                    cuts.Add(i);
                break;
            case 1:
                for (var i = random.Next(1, 4); i < bytes.Length; i += random.Next(1, 4))
                    cuts.Add(i);
                break;
            case 2:
                for (var i = random.Next(1, 64); i < bytes.Length; i += random.Next(1, 64))
                    cuts.Add(i);
                break;
            default:
                for (var i = 1; i < bytes.Length; i++)
                {
                    var insideCrLf = bytes[i - 1] == '\r' && bytes[i] == '\n';
                    var insideUtf8 = (bytes[i] & 0xC0) == 0x80;
                    if ((insideCrLf || insideUtf8) && random.Next(2) == 0 || random.Next(50) == 0)
                        cuts.Add(i);
                }
                break;
        }
        return [.. cuts];
    }

    private static int HashCode(string text)
    {
        var hash = 17;
        foreach (var c in text)
            hash = hash * 31 + c;
        return hash;
    }
}

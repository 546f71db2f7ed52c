using EdgeGw.Streaming;

namespace EdgeGw.Tests.Streaming;

/// <summary>Issue 20: the event-stream decoder yields the same events however TCP cuts the frames.</summary>
public sealed class AwsEventStreamSplitTests
{
    private const int Iterations = 240;
    private static readonly Func<IEventFramer> Framer = () => new AwsEventStreamFramer();

    [Fact]
    public async Task EverySingleCutThroughPipe_YieldsTheSameEvents()
    {
        var transcript = AwsEventStreamTranscripts.Conversational();
        var bytes = transcript.Bytes;

        for (var cut = 1; cut < bytes.Length; cut++)
        {
            var actual = await SseParsing.ThroughPipeAsync(bytes, [cut], segmentSize: 0, Framer);

            if (!actual.SequenceEqual(transcript.Expected))
                Assert.Fail($"cut at {cut} of {bytes.Length}: got {string.Join(" | ", actual)}");
        }
    }

    [Fact]
    public async Task RandomCutsAndSmallSegments_YieldTheSameEvents()
    {
        var transcript = AwsEventStreamTranscripts.Full();
        var bytes = transcript.Bytes;
        var random = new Random(2020);
        var preludeSplits = 0;

        for (var iteration = 0; iteration < Iterations; iteration++)
        {
            var cuts = SseSplitPropertyTests.Cuts(bytes, random, iteration);
            var segmentSize = iteration % 3 == 0 ? 0 : random.Next(1, 40); // frames (and preludes) across buffer segments
            preludeSplits += segmentSize is > 0 and < 12 ? 1 : 0;

            var actual = await SseParsing.ThroughPipeAsync(bytes, cuts, segmentSize, Framer);

            if (!actual.SequenceEqual(transcript.Expected))
                Assert.Fail($"iteration {iteration}, segment {segmentSize}, {cuts.Count} cuts: got {string.Join(" | ", actual.Select(a => a.ToString()[..Math.Min(80, a.ToString().Length)]))}");
        }

        Assert.True(preludeSplits > 0, "some segments were shorter than a prelude");
    }
}

using EdgeGw.Streaming;
using EdgeGw.Tests.Api;
using static EdgeGw.Tests.Infrastructure.AwsEventStreamFrames;

namespace EdgeGw.Tests.Streaming;

/// <summary>Decoding ConverseStream frames allocates nothing per frame, in one buffer or across socket-sized segments.</summary>
public sealed class AwsEventStreamAllocationTests
{
    private const int Repeats = 20;

    [Theory]
    [InlineData(0)] // one contiguous buffer: frames read in place
    [InlineData(4096)] // as a socket read delivers them: some frames cross segment ends
    [InlineData(61)] // most frames cross: copied into the pooled scratch
    [InlineData(7)] // preludes cross too
    public void SteadyStateFraming_AllocatesNothingPerFrame(int segmentSize)
    {
        var frames = AwsEventStreamTranscripts.Conversation;
        byte[] stream = [.. Enumerable.Repeat(frames, Repeats).SelectMany(f => f).SelectMany(e => Event(e.Type, e.Json)),
                         .. Exception("throttlingException", "Too many requests, please wait before trying again.")];
        var input = segmentSize == 0 ? new ReadOnlySequence<byte>(stream) : PassThroughAllocationTests.Segmented(stream, segmentSize);
        using var framer = new AwsEventStreamFramer();
        long events = 0, failures = 0;

        var allocated = HotPathAllocationTests.AllocatedBy(() =>
        {
            var buffer = input;
            while (framer.TryRead(ref buffer, out var e))
            {
                events++;
                failures += AwsEventStream.IsException(e) ? 1 : 0;
            }
        });

        Assert.Equal(0, allocated);
        Assert.Equal(0, events % (frames.Length * Repeats + 1)); // every run decoded every frame
        Assert.Equal(events / (frames.Length * Repeats + 1), failures);
    }
}

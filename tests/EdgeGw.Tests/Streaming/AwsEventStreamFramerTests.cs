using System.Text;
using EdgeGw.Streaming;
using static EdgeGw.Tests.Infrastructure.AwsEventStreamFrames;

namespace EdgeGw.Tests.Streaming;

/// <summary>Bedrock's ConverseStream framing: each frame's headers and payload become one event, whatever the split.</summary>
public sealed class AwsEventStreamFramerTests
{
    private static readonly Func<IEventFramer> Framer = () => new AwsEventStreamFramer();

    [Fact]
    public void TestEncoder_ReproducesSmithyCodecVectors()
    {
        // Smithy's eventstream-codec TestVectors "empty_message" and "payload_one_str_header", byte for byte.
        byte[] empty = [0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x05, 0xc2, 0x48, 0xeb, 0x7d, 0x98, 0xc8, 0xff];
        byte[] oneHeader =
        [
            0x00, 0x00, 0x00, 0x3d, 0x00, 0x00, 0x00, 0x20, 0x07, 0xfd, 0x83, 0x96, 0x0c, .. "content-type"u8, 0x07, 0x00, 0x10,
            .. "application/json"u8, .. "{'foo':'bar'}"u8, 0x8d, 0x9c, 0x08, 0xb1,
        ];

        Assert.Equal(empty, Frame(Array.Empty<byte>(), []));
        Assert.Equal(oneHeader, Frame([("content-type", "application/json")], Encoding.UTF8.GetBytes("{'foo':'bar'}")));
        Assert.Empty(SseParsing.Whole([.. empty, .. oneHeader], Framer)); // valid frames, but no :message-type: nothing to relay
    }

    [Fact]
    public void ConverseStreamFrames_YieldEventTypeAndJsonPayload()
    {
        var transcript = AwsEventStreamTranscripts.Conversational();

        var events = SseParsing.Whole(transcript.Bytes, Framer);

        Assert.Equal(transcript.Expected, events);
        Assert.Equal("messageStart", events[0].Type);
        Assert.Equal("metadata", events[^1].Type);
    }

    [Fact]
    public void HeadersOfEveryValueType_AreSkippedToTheEventType()
    {
        var frame = AwsEventStreamTranscripts.EveryHeaderType("contentBlockDelta", """{"contentBlockIndex":0,"delta":{"text":"hi"}}""");

        var events = SseParsing.Whole(frame, Framer);

        Assert.Equal([new ParsedEvent("contentBlockDelta", """{"contentBlockIndex":0,"delta":{"text":"hi"}}""")], events);
    }

    [Fact]
    public void ExceptionFrame_YieldsExceptionTypeAndMessagePayloadMarkedAsException()
    {
        byte[] stream = [.. Event("messageStart", """{"role":"assistant"}"""), .. Exception("modelStreamErrorException", "Model stream failed.")];

        var events = SseParsing.Whole(stream, Framer);

        Assert.Equal(
            [new ParsedEvent("messageStart", """{"role":"assistant"}"""),
             new ParsedEvent("modelStreamErrorException", """{"message":"Model stream failed."}""", "Exception")],
            events);
    }

    [Fact]
    public void ErrorFrame_YieldsErrorCodeAndErrorMessageHeader()
    {
        var events = SseParsing.Whole(Error("ServiceUnavailable", "Service is unavailable, try again."), Framer);

        Assert.Equal([new ParsedEvent("ServiceUnavailable", "Service is unavailable, try again.", "Error")], events);
    }

    [Fact]
    public void FailureFrames_AreTheOnlyOnesIsExceptionReports()
    {
        byte[] stream = [.. Event("messageStop", """{"stopReason":"end_turn"}"""), .. Exception("throttlingException", "slow down"), .. Error("X", "y")];
        using var framer = new AwsEventStreamFramer();
        var buffer = new ReadOnlySequence<byte>(stream);
        var failures = new List<bool>();

        while (framer.TryRead(ref buffer, out var e))
            failures.Add(AwsEventStream.IsException(e));

        Assert.Equal([false, true, true], failures);
        Assert.Equal(stream.Length, framer.ExaminedBytes);
    }

    [Fact]
    public void FullTranscriptInOneBuffer_YieldsEveryEventInOrder()
    {
        var transcript = AwsEventStreamTranscripts.Full();

        Assert.Equal(transcript.Expected, SseParsing.Whole(transcript.Bytes, Framer));
    }

    [Fact]
    public void FrameInPieces_WaitsForItsLastByteAndConsumesNothingBefore()
    {
        var frame = Event("contentBlockDelta", """{"contentBlockIndex":0,"delta":{"text":"wait for me"}}""");
        using var framer = new AwsEventStreamFramer();

        for (var length = 0; length < frame.Length; length++)
        {
            var partial = new ReadOnlySequence<byte>(frame, 0, length);
            Assert.False(framer.TryRead(ref partial, out _));
            Assert.Equal(length, partial.Length);
        }
        var whole = new ReadOnlySequence<byte>(frame);
        Assert.True(framer.TryRead(ref whole, out var e));
        Assert.Equal("contentBlockDelta"u8.ToArray(), e.EventType.ToArray());
        Assert.True(whole.IsEmpty);
    }

    [Fact]
    public void MegabyteFrameInKilobytePieces_IsReadOnceWhenWhole()
    {
        var frame = Event("contentBlockDelta", "\"" + new string('a', 1024 * 1024) + "\"");
        using var framer = new AwsEventStreamFramer();

        for (var end = 1024; end < frame.Length; end += 1024)
        {
            var partial = new ReadOnlySequence<byte>(frame, 0, end);
            Assert.False(framer.TryRead(ref partial, out _));
        }
        Assert.Equal(0, framer.ExaminedBytes); // waiting costs nothing per read: the length came from the prelude
        var whole = new ReadOnlySequence<byte>(frame);
        Assert.True(framer.TryRead(ref whole, out var e));
        Assert.Equal(1024 * 1024 + 2, e.Data.Length);
        Assert.Equal(frame.Length, framer.ExaminedBytes);
    }
}

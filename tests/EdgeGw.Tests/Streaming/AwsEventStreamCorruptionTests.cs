using System.Buffers.Binary;
using EdgeGw.Streaming;
using static EdgeGw.Tests.Infrastructure.AwsEventStreamFrames;

namespace EdgeGw.Tests.Streaming;

/// <summary>A corrupt, impossible or cut-off frame ends the stream with an error; no damaged event reaches a translator.</summary>
public sealed class AwsEventStreamCorruptionTests
{
    private static readonly byte[] Good = Event("messageStart", """{"role":"assistant"}""");
    private static readonly byte[] Delta = Event("contentBlockDelta", """{"contentBlockIndex":0,"delta":{"text":"Hello"}}""");

    private static string FailureOf(byte[] stream, int cap = IEventFramer.MaxEventBytes) =>
        Assert.ThrowsAny<StreamFramingException>(() => SseParsing.Whole(stream, () => new AwsEventStreamFramer(cap))).Message;

    [Fact]
    public void CorruptPreludeCrc_NamesThePreludeCrc()
    {
        var bad = Delta.ToArray();
        bad[9] ^= 0x40;

        Assert.Equal("the event stream sent a frame whose prelude CRC does not match", FailureOf([.. Good, .. bad]));
    }

    [Fact]
    public void CorruptMessageCrc_NamesTheMessageCrc()
    {
        var bad = Delta.ToArray();
        bad[^1] ^= 0x01;

        Assert.Equal("the event stream sent a frame whose message CRC does not match", FailureOf([.. Good, .. bad]));
    }

    [Fact]
    public void AnyFlippedBit_IsCaughtByACrc()
    {
        byte[] stream = [.. Good, .. Delta];
        for (var position = 0; position < stream.Length; position++)
        {
            foreach (var bit in new[] { 0x01, 0x10, 0x80 })
            {
                var bad = stream.ToArray();
                bad[position] ^= (byte)bit;

                var message = FailureOf(bad);

                Assert.Contains("CRC does not match", message, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public void EventsBeforeACorruptFrame_AreDeliveredFirst()
    {
        var bad = Delta.ToArray();
        bad[20] ^= 0x02;
        using var framer = new AwsEventStreamFramer();
        var buffer = new ReadOnlySequence<byte>([.. Good, .. Good, .. bad]);
        var delivered = 0;

        Assert.Throws<AwsEventStreamException>(() =>
        {
            while (framer.TryRead(ref buffer, out _))
                delivered++;
        });
        Assert.Equal(2, delivered);
    }

    [Fact]
    public void StreamEndingInsideAFrame_IsTruncated()
    {
        for (var cut = 1; cut < Delta.Length; cut++)
        {
            var message = FailureOf([.. Good, .. Delta.AsSpan(0, cut)]);

            Assert.StartsWith("the event stream ended inside a frame", message, StringComparison.Ordinal);
            if (cut >= AwsEventStream.PreludeBytes)
                Assert.Contains($"({cut} of its {Delta.Length} bytes)", message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void LengthUnderSixteen_IsRejected()
    {
        Assert.Equal("the event stream sent a frame of 15 bytes, under the 16-byte minimum", FailureOf([.. Prelude(15, 0), 0, 0, 0]));
    }

    [Fact]
    public void LengthOverTheCap_IsRejectedFromThePreludeAlone()
    {
        using var framer = new AwsEventStreamFramer(maxEventBytes: 1024);
        var buffer = new ReadOnlySequence<byte>(Prelude(1025, 0)); // the other 1,013 bytes never need to arrive

        Assert.Throws<EventTooLargeException>(() => framer.TryRead(ref buffer, out _));
    }

    [Fact]
    public void FrameAtTheCap_IsDecoded()
    {
        var frame = Event("contentBlockDelta", "\"" + new string('x', 1000) + "\"");

        var events = SseParsing.Whole(frame, () => new AwsEventStreamFramer(maxEventBytes: frame.Length));

        Assert.Single(events);
    }

    [Fact]
    public void HeadersLongerThanTheFrame_AreRejected()
    {
        Assert.Equal("the event stream sent a frame whose 5 bytes of headers do not fit its 20 bytes", FailureOf([.. Prelude(20, 5), 0, 0, 0, 0, 0, 0, 0, 0]));
    }

    [Theory]
    [InlineData(new byte[] { 4, (byte)'n', (byte)'a', (byte)'m', (byte)'e' })] // the name runs out
    [InlineData(new byte[] { 1, (byte)'s', 7, 0 })] // a string's length is cut
    [InlineData(new byte[] { 1, (byte)'s', 7, 0, 9, (byte)'a' })] // a string runs past the headers
    [InlineData(new byte[] { 1, (byte)'u', 9, 1, 2, 3 })] // a uuid needs 16 bytes
    [InlineData(new byte[] { 1, (byte)'l', 5, 1 })] // a long needs 8
    public void HeaderRunningPastTheHeaders_IsRejected(byte[] headers)
    {
        Assert.Equal("the event stream sent a header that runs past its frame's headers", FailureOf(Frame(headers, [])));
    }

    [Fact]
    public void UnknownHeaderValueType_IsRejected()
    {
        Assert.Equal("the event stream sent a header of unknown value type 10", FailureOf(Frame([1, (byte)'x', 10], [])));
    }

    [Fact]
    public void CorruptFrame_PreludeLengthsAreBigEndian()
    {
        // Guards the test encoder too: Bedrock's byte order, not the machine's.
        Assert.Equal((uint)Delta.Length, BinaryPrimitives.ReadUInt32BigEndian(Delta));
        Assert.Equal(Crc32(Delta.AsSpan(0, 8)), BinaryPrimitives.ReadUInt32BigEndian(Delta.AsSpan(8)));
    }
}

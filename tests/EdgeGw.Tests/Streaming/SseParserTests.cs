namespace EdgeGw.Tests.Streaming;

public sealed class SseParserTests
{
    [Theory]
    [InlineData("\n")]
    [InlineData("\r\n")]
    [InlineData("\r")]
    public void AnyLineEnding_YieldsSameEvents(string eol)
    {
        var events = SseParsing.Whole($"event: a{eol}data: one{eol}{eol}data: two{eol}{eol}");

        Assert.Equal([new("a", "one"), new("", "two")], events);
    }

    [Fact]
    public void MixedLineEndingsInOneStream_AreEachOneLineEnd()
    {
        var events = SseParsing.Whole("data: a\r\n\ndata: b\r\rdata: c\n\r\n");

        Assert.Equal([new("", "a"), new("", "b"), new("", "c")], events);
    }

    [Fact]
    public void CrLfAcrossCallsWithNothingAfterCr_CountsOnce()
    {
        // "\r" ends the first buffer; its "\n" starts the second and must not be a blank line.
        var events = new List<ParsedEvent>();
        using var parser = new EdgeGw.Streaming.SseParser();
        var first = new ReadOnlySequence<byte>("data: a\r"u8.ToArray());
        while (parser.TryRead(ref first, out var e))
            events.Add(new("", System.Text.Encoding.UTF8.GetString(e.Data)));
        var second = new ReadOnlySequence<byte>("\ndata: b\r\n\r\n"u8.ToArray());
        while (parser.TryRead(ref second, out var e))
            events.Add(new("", System.Text.Encoding.UTF8.GetString(e.Data)));

        Assert.Equal([new("", "a\nb")], events);
    }

    [Fact]
    public void Comments_AreIgnored()
    {
        var events = SseParsing.Whole(": keep-alive\n\ndata: x\n: inside an event\ndata: y\n\n:\n\n");

        Assert.Equal([new("", "x\ny")], events);
    }

    [Fact]
    public void EventLine_SetsTypeOfThatEventOnly()
    {
        var events = SseParsing.Whole("event: content_block_delta\ndata: {}\n\ndata: [DONE]\n\n");

        Assert.Equal([new("content_block_delta", "{}"), new("", "[DONE]")], events);
    }

    [Fact]
    public void MultiLineData_IsJoinedWithLf()
    {
        var events = SseParsing.Whole("data: {\"a\":\ndata: 1}\ndata:\n\n");

        Assert.Equal([new("", "{\"a\":\n1}\n")], events);
    }

    [Theory]
    [InlineData("data:x\n\n", "x")]
    [InlineData("data: x\n\n", "x")]
    [InlineData("data:  x\n\n", " x")]
    [InlineData("data: x \n\n", "x ")]
    [InlineData("data: a:b: c\n\n", "a:b: c")]
    public void DataValue_LosesOnlyOneLeadingSpace(string stream, string data)
    {
        Assert.Equal([new("", data)], SseParsing.Whole(stream));
    }

    [Fact]
    public void FieldWithoutColon_IsFieldWithEmptyValue()
    {
        // "data" alone appends an empty line; an unknown bare field is ignored.
        var events = SseParsing.Whole("data\nfoo\ndata: x\n\n");

        Assert.Equal([new("", "\nx")], events);
    }

    [Fact]
    public void IdRetryAndUnknownFields_AreIgnored()
    {
        var events = SseParsing.Whole("id: 42\nretry: 3000\nx-custom: 1\ndata: x\nid\n\n");

        Assert.Equal([new("", "x")], events);
    }

    [Theory]
    [InlineData("data: last")]
    [InlineData("data: last\n")]
    [InlineData("data: last\r\n")]
    [InlineData("event: e\ndata: last\r")]
    public void EventWithoutTrailingBlankLineAtEof_IsDeliveredByTryFinish(string stream)
    {
        var events = SseParsing.Whole("data: first\n\n" + stream);

        Assert.Equal(2, events.Count);
        Assert.Equal("last", events[1].Data);
    }

    [Fact]
    public void EventWithoutData_IsDiscarded()
    {
        var events = SseParsing.Whole("\n\nevent: ping\n\n\r\n: c\n\ndata: x\n\nevent: trailing\n");

        Assert.Equal([new("", "x")], events);
    }

    [Fact]
    public void EmptyData_IsDispatchedAsEmptyEvent()
    {
        Assert.Equal([new("", "")], SseParsing.Whole("data:\n\n"));
    }

    [Fact]
    public void LargeEvent_GrowsBufferAndKeepsEveryByte()
    {
        var big = new string('é', 20_000) + "🌸";

        Assert.Equal([new("", big)], SseParsing.Whole($"data: {big}\n\n"));
    }

    [Fact]
    public void LeadingByteOrderMark_IsDropped()
    {
        var events = SseParsing.Whole([0xEF, 0xBB, 0xBF, .. "data: x\n\ndata: \uFEFFy\n\n"u8]);

        Assert.Equal([new("", "x"), new("", "\uFEFFy")], events);
    }

    [Fact]
    public async Task ByteOrderMarkSplitAcrossReads_IsDropped()
    {
        byte[] bytes = [0xEF, 0xBB, 0xBF, .. "data: x\n\n"u8];

        var events = await SseParsing.ThroughPipeAsync(bytes, [1, 2, 3, 4], segmentSize: 0);

        Assert.Equal([new("", "x")], events);
    }

    [Fact]
    public void StreamOfOnlyPartialByteOrderMark_YieldsNothing()
    {
        Assert.Empty(SseParsing.Whole([0xEF, 0xBB]));
    }
}

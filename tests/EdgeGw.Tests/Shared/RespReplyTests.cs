using System.Text;
using EdgeGw.Shared;

namespace EdgeGw.Tests.Shared;

/// <summary>The admission line's reply parser: whole replies only, split anywhere, errors as Redis wrote them.</summary>
public sealed class RespReplyTests
{
    private static (bool Whole, RespReply Reply, int Used) Parse(string text)
    {
        var whole = RespReply.TryParse(Encoding.ASCII.GetBytes(text), out var reply, out var used);
        return (whole, reply, used);
    }

    [Fact]
    public void AdmitRefusal_ParsesEveryInteger()
    {
        var (whole, reply, used) = Parse("*5\r\n:1\r\n:0\r\n:1250\r\n:60\r\n:-3\r\n:0\r\n");

        Assert.True(whole);
        Assert.Equal([1L, 0, 1250, 60, -3], reply.Integers!);
        Assert.Equal(29, used); // the next reply (":0") is left for the next call
    }

    [Fact]
    public void ReplySplitAnywhere_IsWholeOnlyAtItsEnd()
    {
        const string Reply = "*2\r\n:4\r\n:17\r\n";
        for (var cut = 0; cut < Reply.Length; cut++)
            Assert.False(Parse(Reply[..cut]).Whole, $"whole after {cut} bytes");
        Assert.True(Parse(Reply).Whole);
    }

    [Fact]
    public void ErrorReply_KeepsRedisText()
    {
        var (whole, reply, _) = Parse("-NOSCRIPT No matching script. Please use EVAL.\r\n");

        Assert.True(whole);
        Assert.Equal("NOSCRIPT No matching script. Please use EVAL.", reply.Error);
        Assert.True(new RedisReplyException(reply.Error!).NoScript);
    }

    [Theory]
    [InlineData("+OK\r\n")]
    [InlineData(":0\r\n")]
    public void StatusAndInteger_AreWholeReplies(string text) => Assert.True(Parse(text).Whole);

    [Theory]
    [InlineData("$3\r\nabc\r\n")]
    [InlineData("*1\r\n$1\r\n1\r\n")]
    [InlineData(":12x\r\n")]
    [InlineData("*100\r\n")]
    public void ReplyTheLineDoesNotSpeak_IsAProtocolError(string text) =>
        Assert.Throws<InvalidDataException>(() => Parse(text));

    [Fact]
    public void FunctionLoadReplyInTheHandshake_IsWholeOnlyAtItsEnd()
    {
        var reply = Encoding.ASCII.GetBytes("$11\r\nedgegw_abcd\r\n:0\r\n");
        for (var cut = 0; cut < 18; cut++)
            Assert.False(RespReply.TryParse(reply.AsSpan(0, cut), out _, out _, bulk: true), $"whole after {cut} bytes");
        Assert.True(RespReply.TryParse(reply, out var parsed, out var used, bulk: true));
        Assert.Null(parsed.Error);
        Assert.Equal(18, used);
    }
}

using System.Text;
using System.Text.Json;
using EdgeGw.Json;
using EdgeGw.Providers;
using EdgeGw.Providers.Gemini;

namespace EdgeGw.Tests.Providers.Gemini;

public sealed class GeminiUnitTests
{
    [Theory]
    [InlineData("{\"a\":1}")]
    [InlineData("{\n\t\"q\": \"say \\\"hi\\\" \\\\ \\n\",\r\n \"e\": \"é 中 😀 \\u0001\"\n}")]
    [InlineData("{\"ctl\":\"x\"}\u0001\u001f")]
    public void EscapedArguments_ParseBackToTheSameJsonText(string raw)
    {
        var bytes = Encoding.UTF8.GetBytes(raw);
        var escaped = new byte[JsonStringEscape.MaxLength(bytes.Length)];

        var length = JsonStringEscape.Escape(bytes, escaped);

        var asJsonString = "\"" + Encoding.UTF8.GetString(escaped, 0, length) + "\"";
        Assert.Equal(raw, JsonDocument.Parse(asJsonString).RootElement.GetString());
    }

    [Theory]
    [InlineData("call_0123456789abcdef__thought__QUJD+/=", "QUJD+/=")]
    [InlineData("call_0123456789abcdef", null)]
    [InlineData("call_x__thought__", null)]
    [InlineData(null, null)]
    public void SignatureInToolCallId_IsRecovered(string? id, string? signature) =>
        Assert.Equal(signature, GeminiToolCallIds.Signature(id));

    [Fact]
    public void ToolCallIds_AreStablePerResponseAndDistinctPerCall()
    {
        var seed = ToolCallIds.Seed("resp-1"u8);
        Span<byte> a = stackalloc byte[ToolCallIds.Length];
        Span<byte> b = stackalloc byte[ToolCallIds.Length];
        Span<byte> c = stackalloc byte[ToolCallIds.Length];

        ToolCallIds.Write(a, seed, 0, 0);
        ToolCallIds.Write(b, ToolCallIds.Seed("resp-1"u8), 0, 0);
        ToolCallIds.Write(c, seed, 0, 1);

        Assert.True(a.SequenceEqual(b));
        Assert.False(a.SequenceEqual(c));
        Assert.Matches("^call_[0-9a-f]{16}$", Encoding.ASCII.GetString(a));
    }
}

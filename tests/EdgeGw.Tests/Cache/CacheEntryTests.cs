using System.Text;
using EdgeGw.Cache;

namespace EdgeGw.Tests.Cache;

/// <summary>The seam the stream cache builds on: an entry's Redis form and LiteLLM's key inputs.</summary>
public sealed class CacheEntryTests
{
    private const string Body = """{"model":"gpt","messages":[{"role":"user","content":"hi"}],"temperature":0}""";

    [Fact]
    public void SerializedEntry_ReadsBackFieldForField()
    {
        var body = Encoding.UTF8.GetBytes("""{"object":"chat.completion","model":"grüne-gruppe"}""");
        var entry = new CacheEntry(CacheFormat.AnthropicMessage, 1_764_000_000_123, 30, 7, "grüne-gruppe", body);

        var back = CacheEntry.Deserialize(entry.Serialize())!;

        Assert.Equal((CacheFormat.AnthropicMessage, 1_764_000_000_123L, 30L, 7L, "grüne-gruppe"),
            (back.Format, back.CreatedUnixMs, back.PromptTokens, back.CompletionTokens, back.ModelGroup));
        Assert.Equal(body, back.Body.ToArray());
    }

    [Fact]
    public void ForeignValue_NotAnEntry()
    {
        Assert.Null(CacheEntry.Deserialize(Encoding.UTF8.GetBytes("""{"response":"litellm's pickled json"}""")));
        Assert.Null(CacheEntry.Deserialize(new byte[5]));
    }

    [Fact]
    public void StreamFlagsAndMetadata_LeaveTheKeyAlone()
    {
        var plain = CacheKey.For(Encoding.UTF8.GetBytes(Body), "gpt", null);
        var streamed = CacheKey.For(Encoding.UTF8.GetBytes(Body.Replace("}]", "}],\"stream\":true,\"stream_options\":{\"include_usage\":true},\"metadata\":{\"a\":1}", StringComparison.Ordinal)), "gpt", null);

        Assert.Equal(plain, streamed);
    }

    [Fact]
    public void ModelGroupAndNamespace_ChangeTheKey()
    {
        var bytes = Encoding.UTF8.GetBytes(Body);

        Assert.NotEqual(CacheKey.For(bytes, "gpt", null), CacheKey.For(bytes, "gpt-other", null));
        Assert.Equal("ns:" + CacheKey.For(bytes, "gpt", null).Value, CacheKey.For(bytes, "gpt", "ns").Value);
    }

    [Fact]
    public void NullParameter_SameAsAbsent()
    {
        var withNull = Body.Replace("}]", "}],\"top_p\":null", StringComparison.Ordinal);

        Assert.Equal(CacheKey.For(Encoding.UTF8.GetBytes(Body), "gpt", null), CacheKey.For(Encoding.UTF8.GetBytes(withNull), "gpt", null));
    }
}

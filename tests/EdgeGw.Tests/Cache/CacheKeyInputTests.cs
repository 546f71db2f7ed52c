using System.Text;
using EdgeGw.Cache;
using EdgeGw.Json;

namespace EdgeGw.Tests.Cache;

/// <summary>Per-input embedding keys: LiteLLM's key of the request with <c>input</c> that one element.</summary>
public sealed class CacheKeyInputTests
{
    private static JsonRange Range(string body, string value) => new(body.IndexOf(value, StringComparison.Ordinal), Encoding.UTF8.GetByteCount(value));

    [Fact]
    public void ListElement_SameKeyAsThatInputAlone()
    {
        const string list = """{"model":"emb","input":["a",[1,2]],"dimensions":8}""";
        var keys = CacheKey.ForInputs(Encoding.UTF8.GetBytes(list), "emb", "ns", [Range(list, "\"a\""), Range(list, "[1,2]")]);

        Assert.Equal(CacheKey.For("""{"model":"emb","input":"a","dimensions":8}"""u8, "emb", "ns"), keys[0]);
        Assert.Equal(CacheKey.For("""{"model":"emb","input":[1,2],"dimensions":8}"""u8, "emb", "ns"), keys[1]);
        Assert.StartsWith("ns:", keys[0].Value, StringComparison.Ordinal);
    }

    [Fact]
    public void OtherParameters_ChangeTheInputsKey()
    {
        const string a = """{"model":"emb","input":["a"],"dimensions":8}""";
        const string b = """{"model":"emb","input":["a"],"dimensions":16}""";

        Assert.NotEqual(CacheKey.ForInputs(Encoding.UTF8.GetBytes(a), "emb", null, [Range(a, "\"a\"")])[0],
            CacheKey.ForInputs(Encoding.UTF8.GetBytes(b), "emb", null, [Range(b, "\"a\"")])[0]);
    }
}

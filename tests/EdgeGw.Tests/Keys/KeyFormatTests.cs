using EdgeGw.Auth;

namespace EdgeGw.Tests.Keys;

public sealed class KeyFormatTests
{
    [Fact]
    public void NewKey_IsSkAnd40RandomAlphanumerics()
    {
        var key = VirtualKeyGenerator.NewKey();
        Assert.Matches("^sk-[A-Za-z0-9]{40}$", key);
    }

    [Fact]
    public void TokenHash_RoundTripsThroughHex()
    {
        var hash = TokenHash.FromKey("sk-abc");
        Assert.True(TokenHash.TryParseHex(hash.ToHex(), out var parsed));
        Assert.Equal(hash, parsed);
        Assert.Equal(hash, TokenHash.FromKeyOrToken(hash.ToHex()));
        Assert.Equal(hash, TokenHash.FromKeyOrToken("sk-abc"));
    }

    [Fact]
    public void Abbreviate_ShowsTheLastFourOnly() => Assert.Equal("sk-...wxyz", VirtualKeyGenerator.Abbreviate("sk-secret-secret-wxyz"));
}

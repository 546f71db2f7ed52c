using EdgeGw.Observability;
using EdgeGw.Tests.Infrastructure;

namespace EdgeGw.Tests.Observability;

/// <summary>The <c>x-litellm-call-id</c> the gateway makes when the client sends none: a UUIDv7, as before it stopped asking the OS for randomness per request.</summary>
public sealed class CallIdTests
{
    [Fact]
    public void NewId_IsAVersion7UuidCarryingItsMillisecond()
    {
        var at = DateTimeOffset.FromUnixTimeMilliseconds(1_796_000_123_456);

        var id = Guid.Parse(CallId.NewId(at));

        Assert.Equal(7, id.Version);
        Assert.Equal(0b10, id.Variant >> 2); // RFC 9562 variant: the top bits of byte 8 are 10
        Span<byte> bytes = stackalloc byte[16];
        Assert.True(id.TryWriteBytes(bytes, bigEndian: true, out _));
        var ms = 0L;
        foreach (var b in bytes[..6])
            ms = ms << 8 | b;
        Assert.Equal(at.ToUnixTimeMilliseconds(), ms);
    }

    [Fact]
    public void NewIds_AreDistinctAndSortByTime()
    {
        var start = DateTimeOffset.FromUnixTimeMilliseconds(1_796_000_000_000);
        var ids = Enumerable.Range(0, 20_000).Select(i => CallId.NewId(start.AddMilliseconds(i / 100))).ToList();

        Assert.Equal(ids.Count, ids.Distinct().Count());
        var byMillisecond = ids.Where((_, i) => i % 100 == 0).ToList();
        Assert.Equal(byMillisecond.Order(StringComparer.Ordinal), byMillisecond);
    }

    [Fact]
    public async Task RequestWithoutCallId_AnswersWithAFreshVersion7Id()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.RespondJson(Callbacks.CallbackRows.OkAnswer);
        await using var gateway = await TestGateway.StartAsync(OpenAiDeploymentYaml.Of("cheap", upstream));

        using var first = await gateway.ChatAsync(TestGateway.MasterKey);
        using var second = await gateway.ChatAsync(TestGateway.MasterKey);

        var ids = new[] { first, second }.Select(r => Guid.Parse(r.Headers.GetValues(CallId.Header).Single())).ToList();
        Assert.All(ids, id => Assert.Equal(7, id.Version));
        Assert.NotEqual(ids[0], ids[1]);
    }
}

using System.Net;
using EdgeGw.Tests.Infrastructure;

namespace EdgeGw.Tests.Spend;

public sealed class GlobalBudgetTests
{
    [Fact]
    public async Task ProxyBudget_StopsEveryCallerIncludingTheMasterKey()
    {
        var time = new FakeTime();
        await using var gateway = await TestGateway.StartAsync(AdminClient.CheapModel, """
            litellm_settings:
              max_budget: 0.028
              budget_duration: 1d
            """, time);
        var key = await gateway.NewKeyAsync();

        using (var a = await gateway.ChatAsync(key))
            Assert.Equal(HttpStatusCode.OK, a.StatusCode);
        using (var b = await gateway.PostJsonAsync("/v1/chat/completions", AdminClient.Chat))
            Assert.Equal(HttpStatusCode.OK, b.StatusCode);
        using (var refused = await gateway.ChatAsync(key))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
            Assert.Equal("Budget has been exceeded! Current cost: 0.028, Max budget: 0.028",
                (await AdminClient.ErrorOf(refused)).GetProperty("message").GetString());
        }
        using (var master = await gateway.PostJsonAsync("/v1/chat/completions", AdminClient.Chat))
            Assert.Equal(HttpStatusCode.TooManyRequests, master.StatusCode);

        time.Advance(TimeSpan.FromDays(1));
        using var afterReset = await gateway.ChatAsync(key);
        Assert.Equal(HttpStatusCode.OK, afterReset.StatusCode);
    }

    [Fact]
    public void BadProxyBudgetDuration_IsAConfigError()
    {
        var error = Assert.Throws<EdgeGw.Config.ConfigException>(() => EdgeGw.Config.ConfigLoader.Parse("""
            general_settings:
              master_key: sk-x
            litellm_settings:
              budget_duration: fortnightly
            """, _ => null));
        Assert.Contains("budget_duration", error.Message, StringComparison.Ordinal);
    }
}

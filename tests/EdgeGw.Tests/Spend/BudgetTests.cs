using System.Net;
using EdgeGw.Tests.Infrastructure;

namespace EdgeGw.Tests.Spend;

public sealed class BudgetTests : IAsyncLifetime
{
    private readonly FakeTime _time = new();
    private TestGateway _gateway = null!;

    public async Task InitializeAsync() => _gateway = await TestGateway.StartAsync(AdminClient.CheapModel, time: _time);

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    private async Task<HttpStatusCode> StatusOfChatAsync(string key)
    {
        using var response = await _gateway.ChatAsync(key);
        return response.StatusCode;
    }

    [Fact]
    public async Task SpendExactlyAtBudget_RefusesTheNextRequest()
    {
        var key = await _gateway.NewKeyAsync("""{"max_budget":0.028}""");

        Assert.Equal(HttpStatusCode.OK, await StatusOfChatAsync(key));
        Assert.Equal(HttpStatusCode.OK, await StatusOfChatAsync(key));
        using var refused = await _gateway.ChatAsync(key);

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        var error = await AdminClient.ErrorOf(refused);
        Assert.Equal("budget_exceeded", error.GetProperty("type").GetString());
        Assert.Equal("429", error.GetProperty("code").GetString()); // LiteLLM answers budgets with rate-limit semantics
        Assert.Equal("Budget has been exceeded! Current cost: 0.028, Max budget: 0.028", error.GetProperty("message").GetString());
        Assert.Equal(0.028m, await _gateway.KeySpendAsync(key));
    }

    [Fact]
    public async Task SpendJustUnderBudget_AdmitsAndMayFinishOver()
    {
        var key = await _gateway.NewKeyAsync("""{"max_budget":0.015}""");

        Assert.Equal(HttpStatusCode.OK, await StatusOfChatAsync(key));
        Assert.Equal(HttpStatusCode.OK, await StatusOfChatAsync(key));
        Assert.Equal(HttpStatusCode.TooManyRequests, await StatusOfChatAsync(key));
        Assert.Equal(0.028m, await _gateway.KeySpendAsync(key));
    }

    [Fact]
    public async Task ZeroBudget_RefusesEveryRequest()
    {
        var key = await _gateway.NewKeyAsync("""{"max_budget":0}""");
        Assert.Equal(HttpStatusCode.TooManyRequests, await StatusOfChatAsync(key));
    }

    [Fact]
    public async Task ConcurrentRequestsAtTheLimit_AreAllRefused()
    {
        var key = await _gateway.NewKeyAsync($$"""{"max_budget":{{AdminClient.ChatCost}}}""");
        Assert.Equal(HttpStatusCode.OK, await StatusOfChatAsync(key));

        var statuses = await Task.WhenAll(Enumerable.Range(0, 32).Select(_ => StatusOfChatAsync(key)));

        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.TooManyRequests, s));
        Assert.Equal(AdminClient.ChatCost, await _gateway.KeySpendAsync(key));
    }

    [Fact]
    public async Task ConcurrentRequestsUnderTheLimit_AreCountedExactly()
    {
        // Semantics: each request is checked before it is sent, so requests admitted together while
        // under budget all finish and are all billed; spend ends exact, possibly over the budget.
        var key = await _gateway.NewKeyAsync("""{"max_budget":1000}""");

        var statuses = await Task.WhenAll(Enumerable.Range(0, 64).Select(_ => StatusOfChatAsync(key)));

        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.OK, s));
        Assert.Equal(64 * AdminClient.ChatCost, await _gateway.KeySpendAsync(key));
        var rows = await _gateway.GetAdminAsync("/spend/logs");
        Assert.Equal(64, rows.GetArrayLength());
        Assert.Equal(64 * AdminClient.ChatCost, rows.EnumerateArray().Sum(r => r.GetProperty("spend").GetDecimal()));
    }

    [Fact]
    public async Task TeamBudget_StopsAllItsKeys()
    {
        await _gateway.PostAdminAsync("/team/new", $$"""{"team_id":"t","max_budget":{{AdminClient.ChatCost}}}""");
        var a = await _gateway.NewKeyAsync("""{"team_id":"t"}""");
        var b = await _gateway.NewKeyAsync("""{"team_id":"t"}""");

        Assert.Equal(HttpStatusCode.OK, await StatusOfChatAsync(a));
        using var refused = await _gateway.ChatAsync(b);

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal("Budget has been exceeded! Team=t Current cost: 0.014, Max budget: 0.014",
            (await AdminClient.ErrorOf(refused)).GetProperty("message").GetString());
    }

    [Fact]
    public async Task UserBudget_StopsAllTheirKeys()
    {
        await _gateway.PostAdminAsync("/user/new", $$"""{"user_id":"u","max_budget":{{AdminClient.ChatCost}},"auto_create_key":false}""");
        var a = await _gateway.NewKeyAsync("""{"user_id":"u"}""");
        var b = await _gateway.NewKeyAsync("""{"user_id":"u"}""");

        Assert.Equal(HttpStatusCode.OK, await StatusOfChatAsync(a));
        using var refused = await _gateway.ChatAsync(b);

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Contains("User=u", (await AdminClient.ErrorOf(refused)).GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RaisingTheBudget_AdmitsAgain()
    {
        var key = await _gateway.NewKeyAsync($$"""{"max_budget":{{AdminClient.ChatCost}}}""");
        Assert.Equal(HttpStatusCode.OK, await StatusOfChatAsync(key));
        Assert.Equal(HttpStatusCode.TooManyRequests, await StatusOfChatAsync(key));

        await _gateway.PostAdminAsync("/key/update", $$"""{"key":"{{key}}","max_budget":1}""");

        Assert.Equal(HttpStatusCode.OK, await StatusOfChatAsync(key));
    }

    [Fact]
    public async Task SettingSpendToZero_AdmitsAgain()
    {
        var key = await _gateway.NewKeyAsync($$"""{"max_budget":{{AdminClient.ChatCost}}}""");
        Assert.Equal(HttpStatusCode.OK, await StatusOfChatAsync(key));

        var updated = await _gateway.PostAdminAsync("/key/update", $$"""{"key":"{{key}}","spend":0}""");

        Assert.Equal(0m, updated.GetProperty("spend").GetDecimal());
        Assert.Equal(HttpStatusCode.OK, await StatusOfChatAsync(key));
    }

    [Fact]
    public async Task BudgetWindow_ResetsWhenItsTimePasses()
    {
        var created = await _gateway.PostAdminAsync("/key/generate", $$"""{"max_budget":{{AdminClient.ChatCost}},"budget_duration":"1d"}""");
        var key = created.GetProperty("key").GetString()!;
        // Created at 09:00 UTC: a daily budget resets at the next midnight, as LiteLLM's.
        Assert.Equal("2026-03-02T00:00:00.000Z", created.GetProperty("budget_reset_at").GetString());
        Assert.Equal(HttpStatusCode.OK, await StatusOfChatAsync(key));

        _time.Advance(TimeSpan.FromHours(14.99));
        Assert.Equal(HttpStatusCode.TooManyRequests, await StatusOfChatAsync(key));

        _time.Advance(TimeSpan.FromHours(0.01));
        Assert.Equal(HttpStatusCode.OK, await StatusOfChatAsync(key));
        var info = (await _gateway.GetAdminAsync($"/key/info?key={key}")).GetProperty("info");
        Assert.Equal(AdminClient.ChatCost, info.GetProperty("spend").GetDecimal());
        Assert.Equal("2026-03-03T00:00:00.000Z", info.GetProperty("budget_reset_at").GetString());
    }

    [Fact]
    public async Task HourlyWindowAfterIdleTime_ResetsOnTheNextHour()
    {
        var key = await _gateway.NewKeyAsync($$"""{"max_budget":{{AdminClient.ChatCost}},"budget_duration":"1h"}""");
        Assert.Equal(HttpStatusCode.OK, await StatusOfChatAsync(key));

        _time.Advance(TimeSpan.FromMinutes(5 * 60 + 30));
        Assert.Equal(HttpStatusCode.OK, await StatusOfChatAsync(key));

        var info = (await _gateway.GetAdminAsync($"/key/info?key={key}")).GetProperty("info");
        Assert.Equal("2026-03-01T15:00:00.000Z", info.GetProperty("budget_reset_at").GetString());
    }

    [Fact]
    public async Task TeamWindow_ResetsAtRequestTime()
    {
        await _gateway.PostAdminAsync("/team/new", $$"""{"team_id":"t","max_budget":{{AdminClient.ChatCost}},"budget_duration":"1mo"}""");
        var key = await _gateway.NewKeyAsync("""{"team_id":"t"}""");
        Assert.Equal(HttpStatusCode.OK, await StatusOfChatAsync(key));
        Assert.Equal(HttpStatusCode.TooManyRequests, await StatusOfChatAsync(key));

        _time.Advance(TimeSpan.FromDays(31));

        Assert.Equal(HttpStatusCode.OK, await StatusOfChatAsync(key));
        var team = (await _gateway.GetAdminAsync("/team/info?team_id=t")).GetProperty("team_info");
        Assert.Equal("2026-05-01T00:00:00.000Z", team.GetProperty("budget_reset_at").GetString());
    }

    [Fact]
    public async Task ResetWindow_IsStoredAcrossRestart()
    {
        var path = TestGateway.NewDatabasePath();
        try
        {
            string key;
            await using (var first = await TestGateway.StartAsync(AdminClient.CheapModel, time: _time, databasePath: path))
            {
                key = await first.NewKeyAsync("""{"max_budget":1,"budget_duration":"1d"}""");
                using (var r = await first.ChatAsync(key))
                    Assert.Equal(HttpStatusCode.OK, r.StatusCode);
                _time.Advance(TimeSpan.FromDays(1));
                using (var r = await first.ChatAsync(key))
                    Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            }
            await using var second = await TestGateway.StartAsync(AdminClient.CheapModel, time: _time, databasePath: path);
            var info = (await second.GetAdminAsync($"/key/info?key={key}")).GetProperty("info");
            Assert.Equal(AdminClient.ChatCost, info.GetProperty("spend").GetDecimal());
            Assert.Equal("2026-03-03T00:00:00.000Z", info.GetProperty("budget_reset_at").GetString());
        }
        finally
        {
            TestGateway.DeleteDatabase(path);
        }
    }
}

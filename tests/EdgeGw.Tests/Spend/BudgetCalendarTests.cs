using System.Net;
using EdgeGw.Tests.Infrastructure;

namespace EdgeGw.Tests.Spend;

/// <summary>Budget windows named as LiteLLM tutorials name them, reset on calendar boundaries.</summary>
public sealed class BudgetCalendarTests
{
    // FakeTime starts at 2026-03-01 09:00 UTC.
    private readonly FakeTime _time = new();

    private async Task<HttpStatusCode> StatusOfChatAsync(TestGateway gateway, string key)
    {
        using var response = await gateway.ChatAsync(key);
        return response.StatusCode;
    }

    [Fact]
    public async Task TutorialTeamAndKeyScript_MonthlyBudgetsAreAccepted()
    {
        await using var gateway = await TestGateway.StartAsync(AdminClient.CheapModel, time: _time);

        // The tutorial's create_team_with_budget() and create_user_virtual_key() payloads, as httpx sends them.
        var team = await gateway.PostAdminAsync("/team/new", """
            {"team_id": "team-platform", "team_alias": "Platform Engineering", "max_budget": 500.0, "budget_duration": "monthly", "tpm_limit": 500000, "rpm_limit": 1000, "models": ["claude-sonnet", "claude-haiku", "gpt-4o"]}
            """);
        Assert.Equal("team-platform", team.GetProperty("team_id").GetString());
        Assert.Equal("monthly", team.GetProperty("budget_duration").GetString());
        Assert.Equal("2026-04-01T00:00:00.000Z", team.GetProperty("budget_reset_at").GetString());

        var key = await gateway.PostAdminAsync("/key/generate", """
            {"user_id": "user_8821", "team_id": "team-platform", "key_alias": "alice-dev-key", "max_budget": 50.0, "budget_duration": "monthly", "models": ["claude-sonnet", "claude-haiku"], "tpm_limit": 100000, "metadata": {"role": "senior-engineer", "department": "platform"}}
            """);
        Assert.StartsWith("sk-", key.GetProperty("key").GetString(), StringComparison.Ordinal);
        Assert.Equal("2026-04-01T00:00:00.000Z", key.GetProperty("budget_reset_at").GetString());
    }

    [Theory]
    [InlineData("hourly", "2026-03-01T10:00:00.000Z")]
    [InlineData("daily", "2026-03-02T00:00:00.000Z")]
    [InlineData("weekly", "2026-03-02T00:00:00.000Z")] // 1 March 2026 is a Sunday
    [InlineData("30d", "2026-04-01T00:00:00.000Z")]
    [InlineData("1mo", "2026-04-01T00:00:00.000Z")]
    [InlineData("30m", "2026-03-01T09:30:00.000Z")]
    public async Task BudgetDurationSpellings_ResetOnTheNextBoundary(string duration, string expected)
    {
        await using var gateway = await TestGateway.StartAsync(AdminClient.CheapModel, time: _time);
        var user = await gateway.PostAdminAsync("/user/new", $$"""{"user_id":"u","max_budget":1,"budget_duration":"{{duration}}"}""");
        Assert.Equal(expected, user.GetProperty("budget_reset_at").GetString());
    }

    [Fact]
    public async Task TwoMonthBudget_IsRefusedNamingTheField()
    {
        await using var gateway = await TestGateway.StartAsync(AdminClient.CheapModel, time: _time);
        var error = (await gateway.PostAdminAsync("/team/new", """{"team_id":"t","budget_duration":"2mo"}""", HttpStatusCode.BadRequest)).GetProperty("error");
        Assert.Equal("budget_duration", error.GetProperty("param").GetString());
        Assert.Contains("1mo", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task MonthlyTeamBudget_ResetsOnTheFirstOfTheMonth()
    {
        await using var gateway = await TestGateway.StartAsync(AdminClient.CheapModel, time: _time);
        await gateway.PostAdminAsync("/team/new", $$"""{"team_id":"t","max_budget":{{AdminClient.ChatCost}},"budget_duration":"monthly"}""");
        var key = await gateway.NewKeyAsync("""{"team_id":"t"}""");
        Assert.Equal(HttpStatusCode.OK, await StatusOfChatAsync(gateway, key));
        Assert.Equal(HttpStatusCode.TooManyRequests, await StatusOfChatAsync(gateway, key));

        _time.Advance(new DateTimeOffset(2026, 3, 31, 23, 59, 0, TimeSpan.Zero) - _time.GetUtcNow());
        Assert.Equal(HttpStatusCode.TooManyRequests, await StatusOfChatAsync(gateway, key));

        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(HttpStatusCode.OK, await StatusOfChatAsync(gateway, key));
        var team = (await gateway.GetAdminAsync("/team/info?team_id=t")).GetProperty("team_info");
        Assert.Equal("2026-05-01T00:00:00.000Z", team.GetProperty("budget_reset_at").GetString());
    }

    [Fact]
    public async Task DailyKeyBudget_InConfiguredTimezone_ResetsAtLocalMidnight()
    {
        await using var gateway = await TestGateway.StartAsync(AdminClient.CheapModel, """
            litellm_settings:
              timezone: Asia/Kolkata
            """, _time);
        // 09:00 UTC is 14:30 in Kolkata (UTC+05:30): the next local midnight is 18:30 UTC.
        var created = await gateway.PostAdminAsync("/key/generate", $$"""{"max_budget":{{AdminClient.ChatCost}},"budget_duration":"daily"}""");
        var key = created.GetProperty("key").GetString()!;
        Assert.Equal("2026-03-01T18:30:00.000Z", created.GetProperty("budget_reset_at").GetString());
        Assert.Equal(HttpStatusCode.OK, await StatusOfChatAsync(gateway, key));

        _time.Advance(TimeSpan.FromMinutes(9 * 60 + 29));
        Assert.Equal(HttpStatusCode.TooManyRequests, await StatusOfChatAsync(gateway, key));

        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(HttpStatusCode.OK, await StatusOfChatAsync(gateway, key));
        var info = (await gateway.GetAdminAsync($"/key/info?key={key}")).GetProperty("info");
        Assert.Equal("2026-03-02T18:30:00.000Z", info.GetProperty("budget_reset_at").GetString());
    }

    [Fact]
    public async Task MonthlyProxyBudget_ResetsOnTheFirst()
    {
        await using var gateway = await TestGateway.StartAsync(AdminClient.CheapModel, $$"""
            litellm_settings:
              max_budget: {{AdminClient.ChatCost}}
              budget_duration: monthly
            """, _time);
        var key = await gateway.NewKeyAsync();
        Assert.Equal(HttpStatusCode.OK, await StatusOfChatAsync(gateway, key));
        Assert.Equal(HttpStatusCode.TooManyRequests, await StatusOfChatAsync(gateway, key));

        _time.Advance(new DateTimeOffset(2026, 4, 1, 0, 0, 0, TimeSpan.Zero) - _time.GetUtcNow());
        Assert.Equal(HttpStatusCode.OK, await StatusOfChatAsync(gateway, key));
    }

    [Fact]
    public void UnknownTimezone_WarnsAndUsesUtc()
    {
        var config = EdgeGw.Config.ConfigLoader.Parse("""
            general_settings: { master_key: sk-m }
            litellm_settings: { timezone: Mars/Olympus_Mons }
            """, _ => null);
        Assert.Equal(TimeZoneInfo.Utc, config.Litellm.BudgetClock.Zone);
        Assert.Contains(config.Warnings, w => w.StartsWith("litellm_settings.timezone: unknown time zone 'Mars/Olympus_Mons'", StringComparison.Ordinal));
    }

    [Fact]
    public void BudgetResetTime_IsReadAsTimeOfDay()
    {
        var config = EdgeGw.Config.ConfigLoader.Parse("""
            general_settings: { master_key: sk-m }
            litellm_settings: { timezone: US/Eastern, budget_reset_time: "12:00" }
            """, _ => null);
        Assert.Equal(TimeSpan.FromHours(12), config.Litellm.BudgetClock.ResetTimeOfDay);
        Assert.DoesNotContain("litellm_settings.timezone", config.IgnoredKeys);
        Assert.DoesNotContain("litellm_settings.budget_reset_time", config.IgnoredKeys);
    }
}

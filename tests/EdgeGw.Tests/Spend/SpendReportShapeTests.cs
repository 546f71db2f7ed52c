using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using EdgeGw.Tests.Infrastructure;

namespace EdgeGw.Tests.Spend;

/// <summary>/global/spend/report and /spend/logs in the shapes LiteLLM's endpoints return.</summary>
public sealed class SpendReportShapeTests : IAsyncLifetime
{
    private TestGateway _gateway = null!;
    private static readonly string Today = DateTime.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public async Task InitializeAsync() => _gateway = await TestGateway.StartAsync(AdminClient.CheapModel);

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    private async Task ChatAsync(string key, string body = AdminClient.Chat, string? customer = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        if (customer is not null)
            request.Headers.Add("x-litellm-customer-id", customer);
        using var response = await _gateway.Client.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task TutorialSpendModelsWithDates_LastThirtyDaysByProviderModelAsLiteLlm()
    {
        await using var gateway = await TestGateway.StartAsync("""
            - model_name: claude-primary
              litellm_params:
                model: mock/claude-sonnet-4-6
                input_cost_per_token: 0.001
                output_cost_per_token: 0.002
            """);
        var key = await gateway.NewKeyAsync();
        using (var response = await gateway.ChatAsync(key, """{"model":"claude-primary","messages":[{"role":"user","content":"hi"}]}"""))
            Assert.True(response.IsSuccessStatusCode);

        // The tutorial's call: LiteLLM's Last30dModelsBySpend view takes no dates and names provider models.
        var models = await gateway.GetAdminAsync("/global/spend/models?start_date=2026-06-01&end_date=2026-06-30");

        var model = Assert.Single(models.EnumerateArray());
        Assert.Equal("claude-sonnet-4-6", model.GetProperty("model").GetString());
        Assert.True(model.GetProperty("total_spend").GetDecimal() > 0);
    }

    [Fact]
    public async Task TutorialReportByDate_TeamNameIsAliasOrUnassignedTeam()
    {
        await _gateway.PostAdminAsync("/team/new", """{"team_id":"t-growth","team_alias":"growth"}""");
        var growth = await _gateway.NewKeyAsync("""{"team_id":"t-growth"}""");
        var loner = await _gateway.NewKeyAsync();
        await ChatAsync(growth);
        await ChatAsync(growth);
        await ChatAsync(loner);

        var report = await _gateway.GetAdminAsync($"/global/spend/report?start_date={Today}&end_date={Today}");

        var day = Assert.Single(report.EnumerateArray());
        Assert.Equal(Today, day.GetProperty("group_by_day").GetString());
        var teams = day.GetProperty("teams").EnumerateArray().ToArray();
        Assert.Equal(["growth", "Unassigned Team"], teams.Select(t => t.GetProperty("team_name").GetString()!).ToArray());
        Assert.Equal(2 * AdminClient.ChatCost, teams[0].GetProperty("total_spend").GetDecimal());
        var breakdown = Assert.Single(teams[0].GetProperty("metadata").EnumerateArray());
        Assert.Equal("cheap", breakdown.GetProperty("model").GetString());
        Assert.Equal(2 * AdminClient.ChatCost, breakdown.GetProperty("spend").GetDecimal());
        Assert.Equal(22, breakdown.GetProperty("total_tokens").GetInt32());
        Assert.Equal(64, breakdown.GetProperty("api_key").GetString()!.Length); // the key's hash, never the key
    }

    [Fact]
    public async Task CustomerReport_GroupsByEndUser()
    {
        var key = await _gateway.NewKeyAsync();
        await ChatAsync(key, customer: "acme");
        await ChatAsync(key, """{"model":"cheap","messages":[{"role":"user","content":"hi"}],"user":"globex"}""");
        await ChatAsync(key, customer: "acme");

        var customers = (await _gateway.GetAdminAsync("/global/spend/report?group_by=customer"))[0].GetProperty("customers").EnumerateArray().ToArray();

        Assert.Equal(["acme", "globex"], customers.Select(c => c.GetProperty("customer").GetString()!).ToArray());
        Assert.Equal(2 * AdminClient.ChatCost, customers[0].GetProperty("total_spend").GetDecimal());
    }

    [Fact]
    public async Task ApiKeyReport_KeysByCostWithModelDetails()
    {
        var big = await _gateway.NewKeyAsync();
        var small = await _gateway.NewKeyAsync();
        await ChatAsync(small);
        await ChatAsync(big);
        await ChatAsync(big, """{"model":"other","messages":[{"role":"user","content":"hi"}]}""");

        var keys = (await _gateway.GetAdminAsync("/global/spend/report?group_by=api_key")).EnumerateArray().ToArray();

        Assert.Equal(2, keys.Length);
        Assert.Equal(2, keys[0].GetProperty("model_details").GetArrayLength());
        Assert.True(keys[0].GetProperty("total_cost").GetDecimal() > keys[1].GetProperty("total_cost").GetDecimal());
        Assert.Equal(16, keys[0].GetProperty("total_input_tokens").GetInt32());
        var only = Assert.Single((await _gateway.GetAdminAsync($"/global/spend/report?api_key={small}")).EnumerateArray());
        Assert.Equal(AdminClient.ChatCost, only.GetProperty("total_cost").GetDecimal());
    }

    [Fact]
    public async Task SpendLogs_NewestFirstWithLiteLlmColumns()
    {
        var key = await _gateway.NewKeyAsync();
        await ChatAsync(key);
        await ChatAsync(key, """{"model":"other","messages":[{"role":"user","content":"hi"}]}""");

        var rows = await _gateway.GetAdminAsync("/spend/logs");

        Assert.Equal(["other", "cheap"], rows.EnumerateArray().Select(r => r.GetProperty("model_group").GetString()!).ToArray());
        string[] columns = ["request_id", "call_type", "api_key", "spend", "total_tokens", "prompt_tokens", "completion_tokens", "startTime", "endTime",
            "completionStartTime", "model", "model_id", "model_group", "custom_llm_provider", "api_base", "user", "metadata", "cache_hit", "cache_key",
            "request_tags", "team_id", "organization_id", "end_user", "requester_ip_address", "messages", "response", "session_id", "status"];
        Assert.Equal(columns, rows[0].EnumerateObject().Select(p => p.Name).ToArray());
        Assert.Equal(JsonValueKind.Array, rows[0].GetProperty("request_tags").ValueKind);
        Assert.Equal("success", rows[0].GetProperty("metadata").GetProperty("status").GetString());
    }

    [Fact]
    public async Task SpendLogsWithDateRange_SummarizedPerDayAsLiteLlm()
    {
        var key = await _gateway.NewKeyAsync("""{"user_id":"ua"}""");
        await ChatAsync(key);
        await ChatAsync(key);
        var tomorrow = DateTime.UtcNow.AddDays(1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

        var days = (await _gateway.GetAdminAsync($"/spend/logs?start_date={Today}&end_date={tomorrow}")).EnumerateArray().ToArray();

        Assert.Equal([Today, tomorrow], days.Select(d => d.GetProperty("startTime").GetString()!).ToArray());
        Assert.Equal(2 * AdminClient.ChatCost, days[0].GetProperty("spend").GetDecimal());
        Assert.Equal(2 * AdminClient.ChatCost, days[0].GetProperty("users").GetProperty("ua").GetDecimal());
        Assert.Equal(2 * AdminClient.ChatCost, days[0].GetProperty("models").GetProperty("cheap").GetDecimal());
        Assert.Equal(0, days[1].GetProperty("spend").GetDecimal());
    }
}

using System.Net;
using System.Security.Cryptography;
using System.Text;
using EdgeGw.Tests.Infrastructure;

namespace EdgeGw.Tests.Spend;

public sealed class SpendAccountingTests : IAsyncLifetime
{
    private TestGateway _gateway = null!;

    private const string Models = AdminClient.CheapModel + """

        - model_name: priced
          litellm_params:
            model: mock/gpt-4o-2024-08-06
            mock_response: one two three
        - model_name: broken
          litellm_params:
            model: openai/gpt-4o
            api_base: http://127.0.0.1:1/v1
            api_key: sk-upstream
        """;

    public async Task InitializeAsync() => _gateway = await TestGateway.StartAsync(Models);

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    private static string Sha256Hex(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    [Fact]
    public async Task Response_CarriesItsCostAndTheKeySpend()
    {
        var key = await _gateway.NewKeyAsync();
        using (var first = await _gateway.ChatAsync(key))
        {
            Assert.Equal("0.014", first.Headers.GetValues("x-litellm-response-cost").Single());
            Assert.Equal("0.014", first.Headers.GetValues("x-litellm-key-spend").Single());
        }
        using var second = await _gateway.ChatAsync(key);
        Assert.Equal("0.028", second.Headers.GetValues("x-litellm-key-spend").Single());
    }

    [Fact]
    public async Task ReusedClientCallId_KeepsARowPerRequest()
    {
        var key = await _gateway.NewKeyAsync();
        for (var i = 0; i < 5; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
            {
                Content = new StringContent(AdminClient.Chat, Encoding.UTF8, "application/json"),
            };
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
            request.Headers.Add("x-litellm-call-id", "same-trace");
            using var response = await _gateway.Client.SendAsync(request);
            Assert.Equal("same-trace", response.Headers.GetValues("x-litellm-call-id").Single());
        }

        var rows = (await _gateway.GetAdminAsync("/spend/logs?request_id=same-trace")).EnumerateArray().ToList();

        Assert.Equal(5, rows.Count);
        Assert.Equal(5 * AdminClient.ChatCost, await _gateway.KeySpendAsync(key));
        Assert.Equal(await _gateway.KeySpendAsync(key), rows.Sum(r => r.GetProperty("spend").GetDecimal()));
    }

    [Fact]
    public async Task SpendRow_HasLiteLlmFields()
    {
        await _gateway.PostAdminAsync("/team/new", """{"team_id":"t"}""");
        var key = await _gateway.NewKeyAsync("""{"team_id":"t","user_id":"u"}""");
        using var response = await _gateway.ChatAsync(key);
        var requestId = response.Headers.GetValues("x-litellm-call-id").Single();

        var row = (await _gateway.GetAdminAsync($"/spend/logs?request_id={requestId}"))[0];

        Assert.Equal(requestId, row.GetProperty("request_id").GetString());
        Assert.Equal("acompletion", row.GetProperty("call_type").GetString());
        Assert.Equal(Sha256Hex(key), row.GetProperty("api_key").GetString());
        Assert.Equal(AdminClient.ChatCost, row.GetProperty("spend").GetDecimal());
        Assert.Equal(8, row.GetProperty("prompt_tokens").GetInt32());
        Assert.Equal(3, row.GetProperty("completion_tokens").GetInt32());
        Assert.Equal(11, row.GetProperty("total_tokens").GetInt32());
        Assert.Equal("cheap", row.GetProperty("model").GetString());
        Assert.Equal("cheap", row.GetProperty("model_group").GetString());
        Assert.False(string.IsNullOrEmpty(row.GetProperty("model_id").GetString()));
        Assert.Equal("u", row.GetProperty("user").GetString());
        Assert.Equal("t", row.GetProperty("team_id").GetString());
        Assert.Equal("success", row.GetProperty("status").GetString());
        Assert.Equal("False", row.GetProperty("cache_hit").GetString());
        Assert.True(row.TryGetProperty("startTime", out _) && row.TryGetProperty("endTime", out _));
    }

    [Fact]
    public async Task StreamedRequest_IsBilledLikeANonStreamedOne()
    {
        var key = await _gateway.NewKeyAsync();
        using (var plain = await _gateway.ChatAsync(key))
            Assert.Equal(HttpStatusCode.OK, plain.StatusCode);

        using (var stream = await _gateway.ChatAsync(key, """{"model":"cheap","messages":[{"role":"user","content":"hi"}],"stream":true}"""))
        {
            Assert.Equal(HttpStatusCode.OK, stream.StatusCode);
            // A stream's headers leave before its cost is known: they carry the spend before it.
            Assert.Equal("0.014", stream.Headers.GetValues("x-litellm-key-spend").Single());
            Assert.False(stream.Headers.Contains("x-litellm-response-cost"));
            await stream.Content.ReadAsStringAsync();
        }

        Assert.Equal(2 * AdminClient.ChatCost, await _gateway.KeySpendAsync(key));
        var rows = await _gateway.GetAdminAsync($"/spend/logs?api_key={key}");
        Assert.Equal([AdminClient.ChatCost, AdminClient.ChatCost], rows.EnumerateArray().Select(r => r.GetProperty("spend").GetDecimal()));
    }

    [Fact]
    public async Task ModelWithoutConfiguredCost_IsPricedFromTheTable()
    {
        var key = await _gateway.NewKeyAsync();
        using var response = await _gateway.ChatAsync(key, """{"model":"priced","messages":[{"role":"user","content":"hi"}]}""");

        // gpt-4o: $2.50 / 1M input, $10 / 1M output: 8 × 0.0000025 + 3 × 0.00001.
        Assert.Equal("0.00005", response.Headers.GetValues("x-litellm-response-cost").Single());
    }

    [Fact]
    public async Task FailedRequest_IsLoggedWithZeroSpend()
    {
        var key = await _gateway.NewKeyAsync();
        using var response = await _gateway.ChatAsync(key, """{"model":"broken","messages":[{"role":"user","content":"hi"}]}""");
        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);

        var row = (await _gateway.GetAdminAsync($"/spend/logs?api_key={Sha256Hex(key)}"))[0];
        Assert.Equal("failure", row.GetProperty("status").GetString());
        Assert.Equal(0m, row.GetProperty("spend").GetDecimal());
        Assert.Equal(0m, await _gateway.KeySpendAsync(key));
    }

    [Fact]
    public async Task MasterKeyRequests_AreLoggedUnderTheMasterKeyHash()
    {
        using var response = await _gateway.PostJsonAsync("/v1/chat/completions", AdminClient.Chat);
        var rows = await _gateway.GetAdminAsync($"/spend/logs?api_key={TestGateway.MasterKey}");
        Assert.Equal(Sha256Hex(TestGateway.MasterKey), rows[0].GetProperty("api_key").GetString());
    }

    [Fact]
    public async Task SpendLogs_FilterByKeyTeamUserAndDate()
    {
        await _gateway.PostAdminAsync("/team/new", """{"team_id":"a"}""");
        var a = await _gateway.NewKeyAsync("""{"team_id":"a","user_id":"ua"}""");
        var b = await _gateway.NewKeyAsync();
        using (await _gateway.ChatAsync(a))
        using (await _gateway.ChatAsync(a))
        using (await _gateway.ChatAsync(b))
        {
        }

        Assert.Equal(2, (await _gateway.GetAdminAsync($"/spend/logs?api_key={a}")).GetArrayLength());
        Assert.Equal(1, (await _gateway.GetAdminAsync($"/spend/logs?api_key={Sha256Hex(b)}")).GetArrayLength());
        Assert.Equal(2, (await _gateway.GetAdminAsync("/spend/logs?team_id=a")).GetArrayLength());
        Assert.Equal(2, (await _gateway.GetAdminAsync("/spend/logs?user_id=ua")).GetArrayLength());
        var today = DateTime.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(3, (await _gateway.GetAdminAsync($"/spend/logs?start_date={today}&end_date={today}&summarize=false")).GetArrayLength());
        Assert.Equal(0, (await _gateway.GetAdminAsync("/spend/logs?start_date=2001-01-01&end_date=2001-01-02&summarize=false")).GetArrayLength());
    }

    [Fact]
    public async Task Reports_EqualTheSumOfTheirRows()
    {
        await _gateway.PostAdminAsync("/team/new", """{"team_id":"a"}""");
        await _gateway.PostAdminAsync("/team/new", """{"team_id":"b"}""");
        var a = await _gateway.NewKeyAsync("""{"team_id":"a"}""");
        var b = await _gateway.NewKeyAsync("""{"team_id":"b"}""");
        for (var i = 0; i < 3; i++)
        {
            using var r = await _gateway.ChatAsync(a);
        }
        using (await _gateway.ChatAsync(b, """{"model":"other","messages":[{"role":"user","content":"hi"}]}"""))
        using (await _gateway.ChatAsync(b, """{"model":"priced","messages":[{"role":"user","content":"hi"}]}"""))
        {
        }

        var rows = await _gateway.GetAdminAsync("/spend/logs");
        var rowTotal = rows.EnumerateArray().Sum(r => r.GetProperty("spend").GetDecimal());
        var byTeam = (await _gateway.GetAdminAsync("/global/spend/report?group_by=team"))[0];
        var teams = byTeam.GetProperty("teams").EnumerateArray().ToDictionary(t => t.GetProperty("team_id").GetString()!, t => t.GetProperty("total_spend").GetDecimal());

        Assert.Equal(rowTotal, byTeam.GetProperty("total_spend").GetDecimal());
        Assert.Equal(3 * AdminClient.ChatCost, teams["a"]);
        // "other": 8 × 0.001 + 2 × 0.002; "priced": 0.00005.
        Assert.Equal(0.012m + 0.00005m, teams["b"]);

        var byKey = await _gateway.GetAdminAsync("/global/spend/report?group_by=api_key");
        Assert.Equal(rowTotal, byKey.EnumerateArray().Sum(k => k.GetProperty("total_cost").GetDecimal()));

        var models = await _gateway.GetAdminAsync("/global/spend/models");
        Assert.Equal("cheap", models[0].GetProperty("model").GetString());
        Assert.Equal(3 * AdminClient.ChatCost, models[0].GetProperty("total_spend").GetDecimal());
        Assert.Equal(rowTotal, models.EnumerateArray().Sum(m => m.GetProperty("total_spend").GetDecimal()));
    }
}

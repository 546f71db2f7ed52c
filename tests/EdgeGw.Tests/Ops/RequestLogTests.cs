using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using EdgeGw.Tests.Infrastructure;
using Microsoft.Extensions.Logging;

namespace EdgeGw.Tests.Ops;

public sealed class RequestLogTests
{
    private const string Models = """
        - model_name: mock-gpt
          litellm_params:
            model: mock/mock-gpt
            mock_response: one two three
            input_cost_per_token: 0.001
            output_cost_per_token: 0.002
          model_info:
            id: dep-a
        """;

    private const string Chat = """{"model":"mock-gpt","messages":[{"role":"user","content":"hi"}]}""";

    [Fact]
    public async Task ModelRequest_LogsOneStructuredLineWithoutTheKey()
    {
        await using var gateway = await OpsGateway.StartAsync(OpsGateway.Yaml(Models));
        string key;
        using (var created = await gateway.PostJsonAsync("/key/generate", """{"key_alias":"billing-svc"}"""))
            key = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("key").GetString()!;

        using var response = await gateway.PostJsonAsync("/v1/chat/completions", Chat,
            r => r.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var callId = response.Headers.GetValues("x-litellm-call-id").Single();

        var line = Assert.Single(gateway.Log.In("EdgeGw.Requests"));
        Assert.Equal(callId, line.State["CallId"]);
        Assert.Equal("billing-svc", line.State["KeyAlias"]);
        Assert.Equal("", line.State["KeyHash"]);
        Assert.Equal("mock-gpt", line.State["ModelGroup"]);
        Assert.Equal("dep-a", line.State["DeploymentId"]);
        Assert.Equal(200, line.State["Status"]);
        Assert.Equal(3L, line.State["CompletionTokens"]);
        Assert.True((long)line.State["PromptTokens"]! > 0);
        Assert.True((double)line.State["Cost"]! > 0);
        Assert.True((double)line.State["DurationMs"]! >= (double)line.State["OverheadMs"]!);
        foreach (var entry in gateway.Log.Entries)
        {
            Assert.DoesNotContain(key, entry.Message, StringComparison.Ordinal);
            Assert.DoesNotContain(TestGateway.MasterKey, entry.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task KeyWithoutAlias_IsLoggedAsAKeyedHashNotTheKeysSha256()
    {
        await using var gateway = await OpsGateway.StartAsync(OpsGateway.Yaml(Models));
        string key;
        using (var created = await gateway.PostJsonAsync("/key/generate", "{}"))
            key = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("key").GetString()!;

        for (var i = 0; i < 2; i++)
        {
            using var response = await gateway.PostJsonAsync("/v1/chat/completions", Chat,
                r => r.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var lines = gateway.Log.In("EdgeGw.Requests").ToList();
        Assert.Equal(2, lines.Count);
        var logged = (string)lines[0].State["KeyHash"]!;
        Assert.Matches("^[0-9a-f]{12}$", logged);
        Assert.Equal(logged, lines[1].State["KeyHash"]);
        var sha256 = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(key)));
        var tokenSha256 = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(sha256)));
        Assert.DoesNotContain(logged, sha256 + tokenSha256, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MasterKeyRequest_IsLoggedAsMasterWithNoHash()
    {
        await using var gateway = await OpsGateway.StartAsync(OpsGateway.Yaml(Models));
        using var response = await gateway.PostJsonAsync("/v1/chat/completions", Chat);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var line = Assert.Single(gateway.Log.In("EdgeGw.Requests"));
        Assert.Equal("master", line.State["KeyAlias"]);
        Assert.Equal("master", line.State["KeyHash"]);
    }

    [Fact]
    public async Task ClientCallId_IsReusedInHeaderLogAndSpendRow()
    {
        await using var gateway = await OpsGateway.StartAsync(OpsGateway.Yaml(Models));
        using var response = await gateway.PostJsonAsync("/v1/chat/completions", Chat,
            r => r.Headers.Add("x-litellm-call-id", "client-trace-42"));

        Assert.Equal("client-trace-42", response.Headers.GetValues("x-litellm-call-id").Single());
        Assert.Equal("client-trace-42", Assert.Single(gateway.Log.In("EdgeGw.Requests")).State["CallId"]);
        // A non-streamed answer's row is handed to the writer as the adapter returns, just after its last byte.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        JsonElement rows;
        do
        {
            using var logs = await gateway.Client.GetAsync("/spend/logs?request_id=client-trace-42");
            rows = JsonDocument.Parse(await logs.Content.ReadAsStringAsync()).RootElement.Clone();
        }
        while (rows.GetArrayLength() == 0 && DateTime.UtcNow < deadline);
        Assert.Equal("client-trace-42", rows[0].GetProperty("request_id").GetString());
    }

    [Fact]
    public async Task ImplausibleClientCallId_IsReplaced()
    {
        await using var gateway = await OpsGateway.StartAsync(OpsGateway.Yaml(Models));
        using var response = await gateway.PostJsonAsync("/v1/chat/completions", Chat,
            r => r.Headers.TryAddWithoutValidation("x-litellm-call-id", "bad id with spaces"));

        var id = response.Headers.GetValues("x-litellm-call-id").Single();
        Assert.True(Guid.TryParse(id, out _), id);
    }

    [Fact]
    public async Task FailedUpstream_LogsItsStatus()
    {
        await using var gateway = await OpsGateway.StartAsync(OpsGateway.Yaml("""
            - model_name: broken
              litellm_params:
                model: openai/gpt-4o
                api_base: http://127.0.0.1:1/v1
                api_key: sk-upstream-secret
            """));
        using var response = await gateway.PostJsonAsync("/v1/chat/completions", """{"model":"broken","messages":[{"role":"user","content":"hi"}]}""");

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal(502, Assert.Single(gateway.Log.In("EdgeGw.Requests")).State["Status"]);
        Assert.DoesNotContain(gateway.Log.Entries, e => e.Message.Contains("sk-upstream-secret", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ClientGoneBeforeAnswer_UpstreamCallFinishedBilledAndMarked()
    {
        // Leaving just before the answer must not make a request free: the call is finished and billed.
        await using var gateway = await OpsGateway.StartAsync(OpsGateway.Yaml("""
            - model_name: slow
              litellm_params:
                model: mock/slow
                mock_latency_ms: 1500
                input_cost_per_token: 0.001
                output_cost_per_token: 0.002
            """));
        using (var client = new HttpClient { BaseAddress = gateway.Client.BaseAddress })
        {
            client.DefaultRequestHeaders.Authorization = gateway.Client.DefaultRequestHeaders.Authorization;
            using var gone = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.PostAsync("/v1/chat/completions",
                new StringContent("""{"model":"slow","messages":[{"role":"user","content":"hi"}]}""", System.Text.Encoding.UTF8, "application/json"), gone.Token));
        }

        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (gateway.Log.In("EdgeGw.Requests").Count == 0 && DateTime.UtcNow < deadline)
            await Task.Delay(10);
        var line = Assert.Single(gateway.Log.In("EdgeGw.Requests"));
        var callId = (string)line.State["CallId"]!;
        using var logs = await gateway.Client.GetAsync($"/spend/logs?request_id={callId}");
        var row = Assert.Single(JsonDocument.Parse(await logs.Content.ReadAsStringAsync()).RootElement.EnumerateArray());
        Assert.Equal("success", row.GetProperty("status").GetString());
        Assert.True(row.GetProperty("spend").GetDecimal() > 0);
        Assert.Equal("ClientDisconnected", row.GetProperty("metadata").GetProperty("error_information").GetProperty("error_class").GetString());
    }

    [Theory]
    [InlineData(null, false, LogLevel.Information)]
    [InlineData(null, true, LogLevel.Debug)]
    [InlineData("WARNING", true, LogLevel.Warning)]
    [InlineData("debug", false, LogLevel.Debug)]
    public void LogLevel_FollowsLitellmLogThenSetVerbose(string? env, bool verbose, LogLevel expected) =>
        Assert.Equal(expected, EdgeGw.Observability.LogSetup.Level(new EdgeGw.Config.LitellmSettings { SetVerbose = verbose }, env));
}

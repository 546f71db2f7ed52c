using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using EdgeGw.Tests.Infrastructure;

namespace EdgeGw.Tests.Ops;

public sealed class DeploymentHealthTests
{
    private const string Secret = "sk-upstream-secret-123";

    private static string Models(string upstreamUrl) => $"""
        - model_name: mock-gpt
          litellm_params:
            model: mock/mock-gpt
          model_info:
            id: dep-mock
        - model_name: gpt
          litellm_params:
            model: openai/gpt-4o
            api_base: {upstreamUrl}/v1
            api_key: {Secret}
            extra_headers:
              x-secret: hdr-secret-456
          model_info:
            id: dep-up
            max_tokens: 100
        - model_name: down
          litellm_params:
            model: openai/gpt-4o
            api_base: http://127.0.0.1:1/v1
            api_key: {Secret}
          model_info:
            id: dep-down
        """;

    [Fact]
    public async Task Health_CallsEveryDeploymentOnceAndSplitsByOutcome()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.RespondJson("""{"id":"c","object":"chat.completion","created":1,"model":"gpt-4o","choices":[{"index":0,"message":{"role":"assistant","content":"p"},"finish_reason":"length"}],"usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}""");
        await using var gateway = await OpsGateway.StartAsync(OpsGateway.Yaml(Models(upstream.Url)));

        using var response = await gateway.Client.GetAsync("/health");
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var json = JsonDocument.Parse(text).RootElement;
        Assert.Equal(2, json.GetProperty("healthy_count").GetInt32());
        Assert.Equal(1, json.GetProperty("unhealthy_count").GetInt32());
        Assert.Equal(["dep-mock", "dep-up"], json.GetProperty("healthy_endpoints").EnumerateArray().Select(e => e.GetProperty("model_id").GetString()).Order());
        var down = Assert.Single(json.GetProperty("unhealthy_endpoints").EnumerateArray());
        Assert.Equal("openai/gpt-4o", down.GetProperty("model").GetString());
        Assert.False(string.IsNullOrEmpty(down.GetProperty("error").GetString()));
        Assert.DoesNotContain(Secret, text, StringComparison.Ordinal);
        Assert.DoesNotContain("api_key", text, StringComparison.Ordinal);

        var sent = JsonDocument.Parse(Assert.Single(upstream.Requests).Body).RootElement;
        Assert.Equal(1, sent.GetProperty("max_tokens").GetInt32());
        using var logs = await gateway.Client.GetAsync("/spend/logs");
        Assert.Equal(0, JsonDocument.Parse(await logs.Content.ReadAsStringAsync()).RootElement.GetArrayLength()); // not billed
    }

    [Fact]
    public async Task VirtualKey_IsForbiddenAndCallsNoUpstream()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await OpsGateway.StartAsync(OpsGateway.Yaml(Models(upstream.Url)));
        using var created = await gateway.PostJsonAsync("/key/generate", """{"models":["gpt"]}""");
        var key = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("key").GetString();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/health");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);

        using var refused = await gateway.Client.SendAsync(request);
        var text = await refused.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal("auth_error", JsonDocument.Parse(text).RootElement.GetProperty("error").GetProperty("type").GetString());
        Assert.DoesNotContain(upstream.Url, text, StringComparison.Ordinal); // no api_base leaks
        Assert.Empty(upstream.Requests);
    }

    [Fact]
    public async Task HealthCheckModel_IsCalledInsteadOfTheDeploymentModel()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.RespondJson("""{"id":"c","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"p"},"finish_reason":"length"}],"usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}""");
        await using var gateway = await OpsGateway.StartAsync(OpsGateway.Yaml($"""
            - model_name: big
              litellm_params:
                model: openai/huge-model
                api_base: {upstream.Url}/v1
                api_key: {Secret}
              model_info:
                health_check_model: openai/tiny-model
            """));

        using var response = await gateway.Client.GetAsync("/health");

        Assert.Equal(1, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("healthy_count").GetInt32());
        Assert.Equal("tiny-model", JsonDocument.Parse(Assert.Single(upstream.Requests).Body).RootElement.GetProperty("model").GetString());
    }

    [Fact]
    public async Task Health_WithoutKey_IsRefused()
    {
        await using var gateway = await OpsGateway.StartAsync(OpsGateway.Yaml(Models("http://127.0.0.1:1")));
        using var anonymous = new HttpClient { BaseAddress = gateway.Client.BaseAddress };
        using var response = await anonymous.GetAsync("/health");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task ModelInfo_ListsDeploymentsWithoutSecrets()
    {
        await using var gateway = await OpsGateway.StartAsync(OpsGateway.Yaml(Models("http://127.0.0.1:9")));

        using var response = await gateway.Client.GetAsync("/model/info");
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var data = JsonDocument.Parse(text).RootElement.GetProperty("data");
        Assert.Equal(3, data.GetArrayLength());
        var gpt = data[1];
        Assert.Equal("gpt", gpt.GetProperty("model_name").GetString());
        Assert.Equal("openai/gpt-4o", gpt.GetProperty("litellm_params").GetProperty("model").GetString());
        Assert.Equal("http://127.0.0.1:9/v1", gpt.GetProperty("litellm_params").GetProperty("api_base").GetString());
        Assert.Equal("dep-up", gpt.GetProperty("model_info").GetProperty("id").GetString());
        Assert.Equal(100, gpt.GetProperty("model_info").GetProperty("max_tokens").GetInt32());
        Assert.DoesNotContain(Secret, text, StringComparison.Ordinal);
        Assert.DoesNotContain("hdr-secret-456", text, StringComparison.Ordinal);
        Assert.DoesNotContain("api_key", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ModelInfo_ForRestrictedKey_ListsOnlyItsModels()
    {
        await using var gateway = await OpsGateway.StartAsync(OpsGateway.Yaml(Models("http://127.0.0.1:9")));
        using var created = await gateway.PostJsonAsync("/key/generate", """{"models":["mock-gpt"]}""");
        var key = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("key").GetString();

        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/model/info");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        using var response = await gateway.Client.SendAsync(request);

        var data = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("data");
        Assert.Equal("mock-gpt", Assert.Single(data.EnumerateArray()).GetProperty("model_name").GetString());
    }
}

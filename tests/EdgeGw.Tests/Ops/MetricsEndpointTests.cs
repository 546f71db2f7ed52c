using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using EdgeGw.Tests.Infrastructure;

namespace EdgeGw.Tests.Ops;

public sealed class MetricsEndpointTests
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
        - model_name: broken
          litellm_params:
            model: openai/gpt-4o
            api_base: http://127.0.0.1:1/v1
            api_key: sk-upstream-secret
          model_info:
            id: dep-b
        """;

    private static double Value(string exposition, string name, string labelsContain = "")
    {
        foreach (var line in exposition.Split('\n'))
        {
            if (line.StartsWith(name, StringComparison.Ordinal) && (line.Length > name.Length && line[name.Length] is '{' or ' ')
                && line.Contains(labelsContain, StringComparison.Ordinal))
                return double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
        }
        throw new Xunit.Sdk.XunitException($"no sample {name} {{{labelsContain}}} in:\n{exposition}");
    }

    private static async Task<string> ScrapeAsync(HttpClient client)
    {
        using var response = await client.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("0.0.4", response.Content.Headers.ContentType.Parameters.Single(p => p.Name == "version").Value);
        return await response.Content.ReadAsStringAsync();
    }

    [Fact]
    public async Task AfterRequests_CountsTokensSpendLatencyAndFailures()
    {
        await using var gateway = await OpsGateway.StartAsync(OpsGateway.Yaml(Models));
        const string chat = """{"model":"mock-gpt","messages":[{"role":"user","content":"hi"}]}""";
        for (var i = 0; i < 2; i++)
            (await gateway.PostJsonAsync("/v1/chat/completions", chat)).Dispose();
        using (var stream = await gateway.PostJsonAsync("/v1/chat/completions", """{"model":"mock-gpt","stream":true,"messages":[{"role":"user","content":"hi"}]}"""))
            Assert.EndsWith("data: [DONE]\n\n", await stream.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using (var failed = await gateway.PostJsonAsync("/v1/chat/completions", """{"model":"broken","messages":[{"role":"user","content":"hi"}]}"""))
            Assert.Equal(HttpStatusCode.BadGateway, failed.StatusCode);

        var text = await ScrapeAsync(gateway.Client);

        const string a = "requested_model=\"mock-gpt\",model_id=\"dep-a\"";
        const string b = "requested_model=\"broken\",model_id=\"dep-b\"";
        Assert.Equal(3, Value(text, "litellm_proxy_total_requests_metric_total", a + ",api_provider=\"mock\",status_code=\"2xx\""));
        Assert.Equal(0, Value(text, "litellm_proxy_failed_requests_metric_total", a));
        Assert.Equal(1, Value(text, "litellm_proxy_total_requests_metric_total", b + ",api_provider=\"openai\",status_code=\"5xx\""));
        Assert.Equal(1, Value(text, "litellm_proxy_failed_requests_metric_total", b));
        Assert.Equal(9, Value(text, "litellm_output_tokens_metric_total", a));
        var input = Value(text, "litellm_input_tokens_metric_total", a);
        Assert.True(input > 0);
        Assert.Equal((input * 0.001) + (9 * 0.002), Value(text, "litellm_spend_metric_total", a), 9);
        Assert.Equal(3, Value(text, "litellm_request_total_latency_metric_count", a));
        Assert.Equal(3, Value(text, "litellm_request_total_latency_metric_bucket", a + ",api_provider=\"mock\",le=\"+Inf\""));
        Assert.Equal(3, Value(text, "edgegw_gateway_overhead_seconds_count", a));
        Assert.Equal(1, Value(text, "litellm_llm_api_time_to_first_token_metric_count", a)); // the stream only
        Assert.Equal(0, Value(text, "litellm_deployment_state", "model_id=\"dep-a\""));
        Assert.Equal(2, Value(text, "litellm_deployment_state", "model_id=\"dep-b\""));
        Assert.Equal(0, Value(text, "edgegw_in_flight_requests"));
        Assert.Equal(0, Value(text, "edgegw_in_flight_streams"));
        Assert.True(Value(text, "edgegw_process_working_set_bytes") > 0);
        Assert.True(Value(text, "edgegw_gc_heap_bytes") > 0);
        Assert.DoesNotContain("sk-upstream-secret", text, StringComparison.Ordinal);
        Assert.Matches(new Regex(@"^# TYPE litellm_request_total_latency_metric histogram$", RegexOptions.Multiline), text);
    }

    [Fact]
    public async Task ByDefault_RefusesWithoutKeyAndServesWithOne()
    {
        await using var gateway = await OpsGateway.StartAsync(OpsGateway.Yaml(Models));
        using var anonymous = new HttpClient { BaseAddress = gateway.Client.BaseAddress };
        using (var refused = await anonymous.GetAsync("/metrics"))
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        using var wrong = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        wrong.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "sk-wrong");
        using (var refused = await anonymous.SendAsync(wrong))
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);

        Assert.Contains("edgegw_in_flight_requests 0", await ScrapeAsync(gateway.Client), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RequireAuthFalse_ServesWithoutKey()
    {
        await using var gateway = await OpsGateway.StartAsync(OpsGateway.Yaml(Models, """
            litellm_settings:
              require_auth_for_metrics_endpoint: false
            """));
        using var anonymous = new HttpClient { BaseAddress = gateway.Client.BaseAddress };
        Assert.Contains("edgegw_in_flight_requests 0", await ScrapeAsync(anonymous), StringComparison.Ordinal);
    }

    [Fact]
    public async Task BudgetRefusal_IsCounted()
    {
        await using var gateway = await OpsGateway.StartAsync(OpsGateway.Yaml(Models));
        using (var created = await gateway.PostJsonAsync("/key/generate", """{"max_budget":0}"""))
        {
            var key = System.Text.Json.JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("key").GetString();
            using var refused = await gateway.PostJsonAsync("/v1/chat/completions", """{"model":"mock-gpt","messages":[{"role":"user","content":"hi"}]}""",
                r => r.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key));
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        }

        var text = await ScrapeAsync(gateway.Client);
        Assert.Equal(1, Value(text, "edgegw_budget_refusals_total"));
        Assert.Equal(0, Value(text, "litellm_proxy_total_requests_metric_total", "model_id=\"dep-a\",api_provider=\"mock\",status_code=\"4xx\""));
    }
}

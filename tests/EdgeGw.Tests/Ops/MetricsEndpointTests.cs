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

        const string a = "requested_model=\"mock-gpt\",user=\"None\",model_id=\"dep-a\"";
        const string b = "requested_model=\"broken\",user=\"None\",model_id=\"dep-b\"";
        Assert.Equal(3, Value(text, "litellm_proxy_total_requests_metric_total", a + ",status_code=\"200\""));
        Assert.DoesNotContain("litellm_proxy_failed_requests_metric_total{" + a, text, StringComparison.Ordinal);
        Assert.Equal(1, Value(text, "litellm_proxy_total_requests_metric_total", b + ",status_code=\"502\""));
        Assert.Equal(1, Value(text, "litellm_proxy_failed_requests_metric_total", b + ",exception_status=\"502\",exception_class=\"openai.APIConnectionError\""));
        const string model = "model=\"mock-gpt\"," + a;
        Assert.Equal(9, Value(text, "litellm_output_tokens_metric_total", model));
        var input = Value(text, "litellm_input_tokens_metric_total", model);
        Assert.True(input > 0);
        Assert.Equal(input + 9, Value(text, "litellm_total_tokens_metric_total", model));
        Assert.Equal((input * 0.001) + (9 * 0.002), Value(text, "litellm_spend_metric_total", "model=\"mock-gpt\",user=\"None\",model_id=\"dep-a\""), 9);
        Assert.Equal(3, Value(text, "litellm_request_total_latency_metric_count", model));
        Assert.Equal(3, Value(text, "litellm_request_total_latency_metric_bucket", model + ",le=\"+Inf\""));
        Assert.Equal(3, Value(text, "litellm_llm_api_latency_metric_count", model));
        Assert.Equal(1, Value(text, "litellm_llm_api_time_to_first_token_metric_count", model)); // the stream only
        Assert.Equal(3, Value(text, "litellm_overhead_latency_metric_count", "model_group=\"mock-gpt\",api_provider=\"mock\""));
        Assert.Equal(3, Value(text, "edgegw_gateway_overhead_seconds_count", "model_group=\"mock-gpt\""));
        Assert.Equal(3, Value(text, "litellm_deployment_latency_per_output_token_count", "litellm_model_name=\"mock-gpt\",model_id=\"dep-a\",api_base=\"None\",api_provider=\"mock\""));
        Assert.Equal(0, Value(text, "litellm_deployment_state", "model_id=\"dep-a\""));
        Assert.Equal(2, Value(text, "litellm_deployment_state", "litellm_model_name=\"gpt-4o\",model_id=\"dep-b\",api_base=\"http://127.0.0.1:1/v1\",api_provider=\"openai\""));
        const string deploymentB = "requested_model=\"broken\",litellm_model_name=\"gpt-4o\",model_id=\"dep-b\",api_base=\"http://127.0.0.1:1/v1\",api_provider=\"openai\"";
        Assert.Equal(3, Value(text, "litellm_deployment_success_responses_total", "requested_model=\"mock-gpt\""));
        Assert.Equal(3, Value(text, "litellm_deployment_total_requests_total", "requested_model=\"mock-gpt\""));
        Assert.Equal(0, Value(text, "litellm_deployment_success_responses_total", deploymentB));
        Assert.Equal(1, Value(text, "litellm_deployment_total_requests_total", deploymentB));
        Assert.Equal(1, Value(text, "litellm_deployment_failure_responses_total", deploymentB + ",hashed_api_key="));
        Assert.Equal(0, Value(text, "edgegw_in_flight_requests"));
        Assert.Equal(0, Value(text, "edgegw_in_flight_streams"));
        Assert.True(Value(text, "edgegw_process_working_set_bytes") > 0);
        Assert.True(Value(text, "edgegw_gc_heap_bytes") > 0);
        Assert.DoesNotContain("sk-upstream-secret", text, StringComparison.Ordinal);
        Assert.Matches(new Regex(@"^# TYPE litellm_request_total_latency_metric histogram$", RegexOptions.Multiline), text);
        Assert.Matches(new Regex(@"^# TYPE litellm_proxy_total_requests_metric_total counter$", RegexOptions.Multiline), text);
        Assert.DoesNotMatch(new Regex(@"^(?!edgegw_|litellm_|#)", RegexOptions.Multiline), text.TrimEnd('\n'));
    }

    [Fact]
    public async Task VirtualKeyRequests_AreLabelledByKeyHashAliasTeamAndUser_WithBudgetGauges()
    {
        await using var gateway = await OpsGateway.StartAsync(OpsGateway.Yaml(Models));
        using var team = await gateway.PostJsonAsync("/team/new", """{"team_alias":"search-team","max_budget":50}""");
        var teamId = System.Text.Json.JsonDocument.Parse(await team.Content.ReadAsStringAsync()).RootElement.GetProperty("team_id").GetString();
        using var created = await gateway.PostJsonAsync("/key/generate", $$"""{"key_alias":"search-key","team_id":"{{teamId}}","user_id":"alice","max_budget":10}""");
        var key = System.Text.Json.JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("key").GetString()!;
        using (var ok = await gateway.PostJsonAsync("/v1/chat/completions", """{"model":"mock-gpt","messages":[{"role":"user","content":"hi"}]}""",
            r => r.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key)))
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);

        var text = await ScrapeAsync(gateway.Client);

        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(key)));
        var who = $"hashed_api_key=\"{hash}\",api_key_alias=\"search-key\",team=\"{teamId}\",team_alias=\"search-team\"";
        Assert.Equal(1, Value(text, "litellm_proxy_total_requests_metric_total", $"{who},requested_model=\"mock-gpt\",user=\"alice\",model_id=\"dep-a\",status_code=\"200\""));
        var spent = Value(text, "litellm_spend_metric_total", $"{who},model=\"mock-gpt\",user=\"alice\"");
        Assert.True(spent > 0);
        Assert.Equal(10 - spent, Value(text, "litellm_remaining_api_key_budget_metric", $"hashed_api_key=\"{hash}\",api_key_alias=\"search-key\""), 9);
        Assert.Equal(10, Value(text, "litellm_api_key_max_budget_metric", $"hashed_api_key=\"{hash}\""));
        Assert.Equal(50 - spent, Value(text, "litellm_remaining_team_budget_metric", $"team=\"{teamId}\",team_alias=\"search-team\""), 9);
        Assert.DoesNotContain(key, text, StringComparison.Ordinal);
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

        Assert.Contains("edgegw_in_flight_requests 0.0", await ScrapeAsync(gateway.Client), StringComparison.Ordinal);
    }

    [Fact]
    public async Task VirtualKey_GetsForbiddenOnMetrics()
    {
        await using var gateway = await OpsGateway.StartAsync(OpsGateway.Yaml(Models));
        using var created = await gateway.PostJsonAsync("/key/generate", """{"key_alias":"tenant-a"}""");
        var key = System.Text.Json.JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("key").GetString();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);

        using var refused = await gateway.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        var error = await AdminClient.ErrorOf(refused);
        Assert.Equal("auth_error", error.GetProperty("type").GetString());
        Assert.Contains("proxy admin", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RequireAuthFalse_ServesWithoutKey()
    {
        await using var gateway = await OpsGateway.StartAsync(OpsGateway.Yaml(Models, """
            litellm_settings:
              require_auth_for_metrics_endpoint: false
            """));
        using var anonymous = new HttpClient { BaseAddress = gateway.Client.BaseAddress };
        Assert.Contains("edgegw_in_flight_requests 0.0", await ScrapeAsync(anonymous), StringComparison.Ordinal);
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
            Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        }

        var text = await ScrapeAsync(gateway.Client);
        Assert.Equal(1, Value(text, "edgegw_budget_refusals_total"));
        Assert.DoesNotContain("status_code=\"429\"", text, StringComparison.Ordinal); // refused before any deployment was called
    }
}

using System.Net;
using System.Text.Json;
using EdgeGw.Tests.Infrastructure;
using static EdgeGw.Tests.Routing.RouterWire;

namespace EdgeGw.Tests.Routing;

/// <summary>LiteLLM's <c>enable_pre_call_checks</c>: deployments whose <c>max_input_tokens</c> the prompt exceeds are not picked.</summary>
public sealed class PreCallCheckTests
{
    // "mixed" has a 50-token and a large deployment; "tiny" and "lonely" only 50-token ones, "tiny" with a context-window fallback.
    private const string Models = """
        - model_name: mixed
          litellm_params: {model: mock/small, mock_response: small}
          model_info: {id: mixed-small, max_input_tokens: 50}
        - model_name: mixed
          litellm_params: {model: mock/large, mock_response: large}
          model_info: {id: mixed-large, max_input_tokens: 100000}
        - model_name: tiny
          litellm_params: {model: mock/tiny, mock_response: tiny}
          model_info: {id: tiny-1, max_input_tokens: 50}
        - model_name: lonely
          litellm_params: {model: mock/lonely, mock_response: lonely}
          model_info: {id: lonely-1, max_input_tokens: 50}
        - model_name: big
          litellm_params: {model: mock/big, mock_response: big}
          model_info: {id: big-1}
        """;

    private const string Fallbacks = "\n  context_window_fallbacks: [{\"tiny\": [\"big\"]}]";

    private static string ChatFor(string model, int promptChars) =>
        $$"""{"model":"{{model}}","messages":[{"role":"user","content":"{{new string('x', promptChars)}}"}]}""";

    private static Task<TestGateway> Start(bool checks) =>
        TestGateway.StartAsync(Models, $"router_settings:\n  enable_pre_call_checks: {(checks ? "true" : "false")}{Fallbacks}");

    private static async Task<JsonElement> ErrorOf(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error");

    [Fact]
    public async Task LongPrompt_SkipsSmallWindowDeploymentForLargeOne()
    {
        await using var gateway = await Start(checks: true);

        for (var i = 0; i < 10; i++)
        {
            using var response = await gateway.PostJsonAsync("/v1/chat/completions", ChatFor("mixed", 2000));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("mixed-large", Header(response, "x-litellm-model-id"));
        }
    }

    [Fact]
    public async Task ShortPrompt_MayUseSmallWindowDeployment()
    {
        await using var gateway = await Start(checks: true);

        var used = new HashSet<string>();
        for (var i = 0; i < 40 && used.Count < 2; i++)
        {
            using var response = await gateway.PostJsonAsync("/v1/chat/completions", ChatFor("mixed", 4));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            used.Add(Header(response, "x-litellm-model-id"));
        }
        Assert.Contains("mixed-small", used);
    }

    [Fact]
    public async Task NoDeploymentFits_GoesToContextWindowFallback()
    {
        await using var gateway = await Start(checks: true);

        using var response = await gateway.PostJsonAsync("/v1/chat/completions", ChatFor("tiny", 2000));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("big-1", Header(response, "x-litellm-model-id"));
        Assert.Equal("1", Header(response, "x-litellm-attempted-fallbacks"));
    }

    [Fact]
    public async Task NoDeploymentFitsAndNoFallback_Is400ContextLengthExceededNamingGroup()
    {
        await using var gateway = await Start(checks: true);

        using var response = await gateway.PostJsonAsync("/v1/chat/completions", ChatFor("lonely", 2000));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = await ErrorOf(response);
        Assert.Equal("context_length_exceeded", error.GetProperty("code").GetString());
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        var message = error.GetProperty("message").GetString()!;
        Assert.Contains("No models have context window large enough for this call.", message, StringComparison.Ordinal);
        Assert.Contains("Model=mock/lonely, Max Input Tokens=50", message, StringComparison.Ordinal);
        Assert.Contains("model group=lonely", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ChecksOff_SmallWindowDeploymentStillTakesLongPrompts()
    {
        await using var gateway = await Start(checks: false);

        using var response = await gateway.PostJsonAsync("/v1/chat/completions", ChatFor("lonely", 2000));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("lonely-1", Header(response, "x-litellm-model-id"));
    }

    [Fact]
    public void EnablePreCallChecksAndWindows_AreReadNotIgnored()
    {
        var config = EdgeGw.Config.ConfigLoader.Parse($"model_list:\n{Models}\nrouter_settings:\n  enable_pre_call_checks: true\ngeneral_settings:\n  master_key: sk-test-1234",
            _ => null);

        Assert.True(config.Router.EnablePreCallChecks);
        Assert.Equal(50, config.Deployments[0].MaxInputTokens);
        Assert.Empty(config.IgnoredKeys);
    }

    [Fact]
    public void CostMapMaxInputTokens_IsReadAsTheWindowForDeploymentsWithoutOne()
    {
        var map = EdgeGw.Spend.CostMap.Parse("""
            {
              "a": { "max_input_tokens": 128000, "input_cost_per_token": 1e-06, "output_cost_per_token": 2e-06 },
              "b": { "input_cost_per_token": 1e-06, "output_cost_per_token": 2e-06 }
            }
            """u8);

        Assert.Equal(128_000, map.Prices["a"].MaxInputTokens);
        Assert.Null(map.Prices["b"].MaxInputTokens);
    }
}

using System.Net;
using System.Text.Json;
using EdgeGw.Tests.Infrastructure;
using EdgeGw.Tests.Providers.Anthropic;

namespace EdgeGw.Tests.Routing;

/// <summary>
/// A fake OpenAI and a fake Anthropic on loopback, reached through LiteLLM's <c>OPENAI_API_BASE</c> /
/// <c>ANTHROPIC_API_BASE</c> and key variables (set in <c>environment_variables</c>), so a config's
/// model_list can be used exactly as a tutorial writes it.
/// </summary>
public sealed class TwoProviderGateway : IAsyncDisposable
{
    public const string OpenAiKey = "sk-openai-upstream";
    public const string AnthropicKey = "sk-ant-upstream";

    private const string Completion = """
        {"id":"chatcmpl-1","object":"chat.completion","created":1741569952,"model":"upstream-model","choices":[{"index":0,"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}],"usage":{"prompt_tokens":5,"completion_tokens":1,"total_tokens":6}}
        """;

    private TwoProviderGateway(FakeUpstream openAi, FakeUpstream anthropic, TestGateway gateway)
    {
        OpenAi = openAi;
        Anthropic = anthropic;
        Gateway = gateway;
    }

    public FakeUpstream OpenAi { get; }
    public FakeUpstream Anthropic { get; }
    public TestGateway Gateway { get; }

    public static async Task<TwoProviderGateway> StartAsync(string modelList, string extraYaml = "")
    {
        var openAi = await FakeUpstream.StartAsync();
        var anthropic = await FakeUpstream.StartAsync();
        openAi.RespondJson(Completion);
        anthropic.RespondJson(AnthropicWireFixtures.TextMessage("hi"));
        var gateway = await TestGateway.StartAsync(modelList, $"""
            environment_variables:
              OPENAI_API_BASE: {openAi.Url}/v1
              OPENAI_API_KEY: {OpenAiKey}
              ANTHROPIC_API_BASE: {anthropic.Url}
              ANTHROPIC_API_KEY: {AnthropicKey}
            {extraYaml}
            """);
        return new TwoProviderGateway(openAi, anthropic, gateway);
    }

    /// <summary>Sends a chat request for <paramref name="model"/>; returns the status and the parsed body.</summary>
    public async Task<(HttpStatusCode Status, JsonElement Body)> ChatAsync(string model, string? key = null)
    {
        var json = $$"""{"model":"{{model}}","messages":[{"role":"user","content":"hello"}]}""";
        using var response = key is null ? await Gateway.PostJsonAsync("/v1/chat/completions", json) : await Gateway.ChatAsync(key, json);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, JsonDocument.Parse(text).RootElement.Clone());
    }

    /// <summary>The model id the named fake last received.</summary>
    public static string SentModel(FakeUpstream upstream) =>
        upstream.LastRequest.Json().RootElement.GetProperty("model").GetString()!;

    public async Task<string[]> ListedModelsAsync(string? key = null) =>
        [.. (await Gateway.GetAdminAsync("/v1/models", key: key)).GetProperty("data").EnumerateArray().Select(m => m.GetProperty("id").GetString()!)];

    public async ValueTask DisposeAsync()
    {
        await Gateway.DisposeAsync();
        await OpenAi.DisposeAsync();
        await Anthropic.DisposeAsync();
    }
}

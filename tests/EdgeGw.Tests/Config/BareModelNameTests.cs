using EdgeGw.Config;

namespace EdgeGw.Tests.Config;

/// <summary><c>litellm_params.model</c> without a <c>provider/</c> prefix: the provider LiteLLM infers.</summary>
public sealed class BareModelNameTests
{
    private const string Master = "general_settings:\n  master_key: sk-m\n";

    private static GatewayConfig Parse(string yaml, Dictionary<string, string>? env = null) =>
        ConfigLoader.Parse(yaml, name => env?.GetValueOrDefault(name));

    private static string Problem(string yaml) =>
        Assert.Throws<ConfigException>(() => Parse(yaml)).Message;

    [Fact]
    public void TutorialBareNames_LoadAsTheirProviderWithItsKeyVariable()
    {
        // The SDK-to-proxy lesson's model_list, verbatim, and one entry without a key.
        var config = Parse($"""
            model_list:
            {Infrastructure.TutorialConfigs.SdkLessonModelList.Replace("\n", "\n  ", StringComparison.Ordinal)}
              - model_name: mini
                litellm_params:
                  model: gpt-4o-mini
            {Master}
            """, new() { ["ANTHROPIC_API_KEY"] = "sk-ant", ["OPENAI_API_KEY"] = "sk-oai" });

        Assert.Equal(
            [("anthropic", "claude-sonnet-4-6", "sk-ant", "https://api.anthropic.com"),
             ("anthropic", "claude-haiku-4-5-20251001", "sk-ant", "https://api.anthropic.com"),
             ("openai", "gpt-4o", "sk-oai", "https://api.openai.com/v1"),
             ("openai", "gpt-4o-mini", "sk-oai", "https://api.openai.com/v1")],
            config.Deployments.Select(d => (d.Provider, d.ModelId, d.ApiKey, d.ApiBase)));
    }

    [Theory]
    [InlineData("o3-mini", "openai")]
    [InlineData("o1", "openai")]
    [InlineData("chatgpt-4o-latest", "openai")]
    [InlineData("text-embedding-3-small", "openai")]
    [InlineData("claude-3-5-sonnet-20241022", "anthropic")]
    [InlineData("anthropic.claude-3-haiku-20240307-v1:0", "bedrock")]
    [InlineData("us.anthropic.claude-3-5-sonnet-20240620-v1:0", "bedrock")]
    [InlineData("amazon.nova-pro-v1:0", "bedrock")]
    public void BareNameOfAServedProvider_GetsThatProvider(string model, string provider) =>
        Assert.Equal(provider, Parse($"model_list:\n  - model_name: m\n    litellm_params: {{ model: {model} }}\n{Master}").Deployments[0].Provider);

    [Theory]
    [InlineData("gemini-2.5-pro")]
    [InlineData("text-embedding-005")]
    public void BareGoogleName_LoadsAsVertexAiAsLiteLLMReadsIt(string model)
    {
        var deployment = Parse($"model_list:\n  - model_name: m\n    litellm_params: {{ model: {model} }}\n{Master}").Deployments[0];

        Assert.Equal(("vertex_ai", model), (deployment.Provider, deployment.ModelId));
    }

    [Theory]
    [InlineData("command-r", "LiteLLM reads a bare 'command-r' as Cohere (cohere_chat/command-r), which EdgeGw does not serve yet")]
    [InlineData("gpt-3.5-turbo-instruct", "LiteLLM reads a bare 'gpt-3.5-turbo-instruct' as OpenAI's legacy completions API (text-completion-openai/gpt-3.5-turbo-instruct), which EdgeGw does not serve yet")]
    public void BareNameOfAnUnservedProvider_IsOneLineNamingIt(string model, string expected) =>
        Assert.Equal($"model_list[0].litellm_params.model: {expected}",
            Problem($"model_list:\n  - model_name: m\n    litellm_params: {{ model: {model} }}\n{Master}"));

    [Fact]
    public void BareNameLiteLLMCannotPlace_KeepsMissingProviderPrefix() =>
        Assert.StartsWith("model_list[0].litellm_params.model: missing provider prefix in 'llama3'",
            Problem($"model_list:\n  - model_name: m\n    litellm_params: {{ model: llama3 }}\n{Master}"), StringComparison.Ordinal);

    [Fact]
    public void WildcardModelWithoutWildcardName_IsRefused() =>
        Assert.Equal("model_list[0].litellm_params.model: 'openai/*' has a wildcard but model_name 'm' has none to fill it",
            Problem($"model_list:\n  - model_name: m\n    litellm_params: {{ model: openai/* }}\n{Master}"));

    [Fact]
    public void ModelGroupAlias_ReadsStringAndHiddenForms()
    {
        var config = Parse($$"""
            model_list:
              - model_name: gpt-4o
                litellm_params: { model: openai/gpt-4o }
            router_settings:
              model_group_alias: { "gpt-4": "gpt-4o", "secret": { model: gpt-4o, hidden: true } }
            {{Master}}
            """);

        Assert.Equal([new ModelAlias("gpt-4", "gpt-4o", false), new ModelAlias("secret", "gpt-4o", true)], config.Router.ModelGroupAlias.ToArray());
        Assert.DoesNotContain("router_settings.model_group_alias", config.IgnoredKeys);
    }
}

using System.Collections.Frozen;
using EdgeGw.Config;
using EdgeGw.Providers;
using EdgeGw.Providers.Anthropic;
using EdgeGw.Providers.Gemini;
using EdgeGw.Providers.Vertex;
using EdgeGw.Upstream;

namespace EdgeGw.Tests.Vertex;

/// <summary>The URLs a <c>vertex_ai/</c> deployment calls, from its project, location and <c>api_base</c>, as LiteLLM builds them.</summary>
public sealed class VertexAddressTests : IDisposable
{
    private readonly UpstreamClients _clients = new();

    public void Dispose() => _clients.Dispose();

    private static Deployment D(string modelId, string? apiBase = null, params (string Key, string Value)[] other) => new()
    {
        Index = 0, ModelName = "m", Provider = "vertex_ai", ModelId = modelId, Id = "id", ApiBase = apiBase,
        OtherParams = other.ToFrozenDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal),
    };

    private ChatEndpoint Create(Deployment deployment, string? project = "proj-1", Dictionary<string, string>? env = null) =>
        VertexEndpoints.Create(new ProviderContext(deployment, _clients, new UpstreamTimeouts(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5)),
            new LitellmSettings(), TimeProvider.System, name => env?.GetValueOrDefault(name)), new StaticTokenAuth("t"), project);

    private GeminiTarget Gemini(Deployment deployment, Dictionary<string, string>? env = null) =>
        Assert.IsType<GeminiChatEndpoint>(Create(deployment, env: env)).Target;

    private AnthropicTarget Claude(Deployment deployment) =>
        Assert.IsType<AnthropicChatEndpoint>(Create(deployment)).Target;

    [Fact]
    public void GeminiWithoutLocation_UsesUsCentral1HostAndPath()
    {
        var target = Gemini(D("gemini-2.0-flash-001"));

        Assert.Equal("https://us-central1-aiplatform.googleapis.com/v1/projects/proj-1/locations/us-central1/publishers/google/models/gemini-2.0-flash-001:generateContent",
            target.GenerateUri.AbsoluteUri);
        Assert.Equal("https://us-central1-aiplatform.googleapis.com/v1/projects/proj-1/locations/us-central1/publishers/google/models/gemini-2.0-flash-001:streamGenerateContent?alt=sse",
            target.StreamUri.AbsoluteUri);
        Assert.Equal("https://us-central1-aiplatform.googleapis.com/v1/projects/proj-1/locations/us-central1/publishers/google/models/gemini-2.0-flash-001:predict",
            target.EmbedUri.AbsoluteUri);
        Assert.Null(target.ApiKey);
        Assert.NotNull(target.Auth);
    }

    [Fact]
    public void VertexLocationParam_NamesTheRegionalHostAndPath() =>
        Assert.Equal("https://europe-west4-aiplatform.googleapis.com/v1/projects/proj-1/locations/europe-west4/publishers/google/models/gemini-2.5-pro:generateContent",
            Gemini(D("gemini-2.5-pro", null, ("vertex_location", "europe-west4"))).GenerateUri.AbsoluteUri);

    [Fact]
    public void GlobalLocation_UsesTheHostWithoutARegion() =>
        Assert.Equal("https://aiplatform.googleapis.com/v1/projects/proj-1/locations/global/publishers/google/models/gemini-2.5-pro:streamGenerateContent?alt=sse",
            Gemini(D("gemini-2.5-pro", null, ("vertex_location", "global"))).StreamUri.AbsoluteUri);

    [Theory]
    [InlineData("VERTEXAI_LOCATION")]
    [InlineData("VERTEX_LOCATION")]
    public void LocationFromEnvironment_AppliesWhenTheDeploymentNamesNone(string variable) =>
        Assert.StartsWith("https://asia-northeast1-aiplatform.googleapis.com/v1/projects/proj-1/locations/asia-northeast1/",
            Gemini(D("gemini-2.5-pro"), new() { [variable] = "asia-northeast1" }).GenerateUri.AbsoluteUri, StringComparison.Ordinal);

    [Fact]
    public void DeploymentLocation_WinsOverTheEnvironment() =>
        Assert.Contains("/locations/us-east5/",
            Gemini(D("gemini-2.5-pro", null, ("vertex_location", "us-east5")), new() { ["VERTEXAI_LOCATION"] = "europe-west1" }).GenerateUri.AbsoluteUri, StringComparison.Ordinal);

    [Fact]
    public void ApiBase_StandsForEverythingBeforeTheMethod()
    {
        var target = Gemini(D("gemini-2.5-pro", "https://gw.example/v1/acct/google-vertex-ai/v1/projects/p/locations/l/publishers/google/models/gemini-2.5-pro/"));

        Assert.Equal("https://gw.example/v1/acct/google-vertex-ai/v1/projects/p/locations/l/publishers/google/models/gemini-2.5-pro:generateContent", target.GenerateUri.AbsoluteUri);
        Assert.Equal("https://gw.example/v1/acct/google-vertex-ai/v1/projects/p/locations/l/publishers/google/models/gemini-2.5-pro:streamGenerateContent?alt=sse", target.StreamUri.AbsoluteUri);
    }

    [Fact]
    public void ApiBaseFromEnvironment_AppliesWhenTheDeploymentHasNone() =>
        Assert.Equal("https://proxy.example/vertex:generateContent",
            Gemini(D("gemini-2.5-pro"), new() { ["VERTEXAI_API_BASE"] = "https://proxy.example/vertex" }).GenerateUri.AbsoluteUri);

    [Fact]
    public void NumericModelId_CallsTheTunedModelsEndpoint() =>
        Assert.Equal("https://us-central1-aiplatform.googleapis.com/v1/projects/proj-1/locations/us-central1/endpoints/4965075652664360960:generateContent",
            Gemini(D("4965075652664360960")).GenerateUri.AbsoluteUri);

    [Fact]
    public void ClaudeModel_CallsAnthropicsPublisherWithRawPredictAndKeepsTheAtVersion()
    {
        var target = Claude(D("claude-3-5-sonnet-v2@20241022", null, ("vertex_location", "us-east5")));

        Assert.Equal("https://us-east5-aiplatform.googleapis.com/v1/projects/proj-1/locations/us-east5/publishers/anthropic/models/claude-3-5-sonnet-v2@20241022:rawPredict", target.MessagesUri.AbsoluteUri);
        Assert.Equal("https://us-east5-aiplatform.googleapis.com/v1/projects/proj-1/locations/us-east5/publishers/anthropic/models/claude-3-5-sonnet-v2@20241022:streamRawPredict", target.StreamUri.AbsoluteUri);
        Assert.Equal("vertex-2023-10-16", target.BodyVersion);
        Assert.Null(target.ApiKey);
        Assert.Null(target.CountTokensUri);
    }

    [Fact]
    public void ClaudeUnderApiBase_AddsAltSseToTheStreamAsLiteLlmDoes() =>
        Assert.Equal("https://gw.example/claude:streamRawPredict?alt=sse", Claude(D("claude-sonnet-4@20250514", "https://gw.example/claude")).StreamUri.AbsoluteUri);

    [Fact]
    public void NoProject_EveryRequestGetsAnErrorNamingVertexProject()
    {
        var endpoint = Assert.IsType<MisconfiguredChatEndpoint>(Create(D("gemini-2.5-pro"), project: null));

        Assert.Equal(500, endpoint.Error.Status);
        Assert.Contains("vertex_project", endpoint.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LocationThatIsNotAHostLabel_IsRefusedPerRequest()
    {
        var endpoint = Assert.IsType<MisconfiguredChatEndpoint>(Create(D("gemini-2.5-pro", null, ("vertex_location", "evil.example/x"))));

        Assert.Contains("vertex_location 'evil.example/x'", endpoint.Error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("meta/llama-3.1-405b-instruct-maas")]
    [InlineData("mistral-large@2407")]
    [InlineData("chat-bison")]
    public void PartnerModelThisBuildDoesNotTranslate_Is501NamingIt(string model)
    {
        var endpoint = Assert.IsType<MisconfiguredChatEndpoint>(Create(D(model)));

        Assert.Equal(501, endpoint.Error.Status);
        Assert.Contains(model, endpoint.Error.Message, StringComparison.Ordinal);
    }
}

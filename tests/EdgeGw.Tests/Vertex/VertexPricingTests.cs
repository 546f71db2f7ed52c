using EdgeGw.Config;
using EdgeGw.Json;
using EdgeGw.Spend;

namespace EdgeGw.Tests.Vertex;

/// <summary>Spend for <c>vertex_ai/</c> deployments: Gemini and Claude ids as Vertex names them find their prices.</summary>
public sealed class VertexPricingTests
{
    private static Deployment D(string provider, string modelId) => new() { Index = 0, ModelName = "m", Provider = provider, ModelId = modelId, Id = "id" };

    private static readonly Usage Used = new() { Present = true, PromptTokens = 100_000, CompletionTokens = 10_000 };

    [Theory]
    [InlineData("gemini-2.0-flash-001", "gemini-2.0-flash")]
    [InlineData("gemini-2.5-pro", "gemini-2.5-pro")]
    [InlineData("gemini-1.5-pro-002", "gemini-1.5-pro")]
    [InlineData("gemini-2.5-flash-lite", "gemini-2.5-flash-lite")]
    public void VertexGemini_CostsWhatGoogleCharges(string vertexId, string aiStudioId)
    {
        var cost = CostCalculator.Cost(D("vertex_ai", vertexId), Used);

        Assert.True(cost > 0, vertexId);
        Assert.Equal(CostCalculator.Cost(D("gemini", aiStudioId), Used), cost);
    }

    [Theory]
    [InlineData("claude-3-5-sonnet-v2@20241022", "claude-3-5-sonnet-20241022")]
    [InlineData("claude-sonnet-4@20250514", "claude-sonnet-4-20250514")]
    [InlineData("claude-opus-4-1@20250805", "claude-opus-4-1-20250805")]
    [InlineData("claude-3-5-haiku@20241022", "claude-3-5-haiku-20241022")]
    [InlineData("claude-sonnet-4-5@20250929", "claude-sonnet-4-5-20250929")]
    public void VertexClaudeWithAtVersion_CostsWhatAnthropicCharges(string vertexId, string anthropicId)
    {
        var cost = CostCalculator.Cost(D("vertex_ai", vertexId), Used);

        Assert.True(cost > 0, vertexId);
        Assert.Equal(CostCalculator.Cost(D("anthropic", anthropicId), Used), cost);
    }

    [Fact]
    public void GeminiEmbedding001OnVertex_IsPriced() =>
        Assert.True(CostCalculator.Cost(D("vertex_ai", "gemini-embedding-001"), new Usage { Present = true, PromptTokens = 1_000_000 }) > 0);
}

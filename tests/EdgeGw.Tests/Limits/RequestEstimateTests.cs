using System.Text;
using EdgeGw.Api;
using EdgeGw.Config;
using EdgeGw.Limits;
using EdgeGw.Providers.Mock;
using EdgeGw.Routing;

namespace EdgeGw.Tests.Limits;

/// <summary>What a request reserves at admission: its prompt estimate and output cap, per count type.</summary>
public sealed class RequestEstimateTests
{
    private static ModelGroup Group(params int?[] maxTokens) => new("g", [.. maxTokens.Select((max, i) =>
        (EdgeGw.Providers.ChatEndpoint)new MockChatEndpoint(new Deployment { Index = i, ModelName = "g", Provider = "mock", ModelId = "unpriced-model", Id = $"d{i}", MaxTokens = max }, TimeProvider.System))]);

    private static RequestEstimate Parse(string json)
    {
        var body = Encoding.UTF8.GetBytes(json);
        Span<char> name = stackalloc char[ChatRequestParser.MaxModelNameChars];
        Assert.Null(ChatRequestParser.Parse(body, out var request, name, out _));
        return request.Estimate(body.Length);
    }

    [Fact]
    public void MaxTokensAndN_CapTheOutputAtTheirProduct()
    {
        var estimate = Parse("""{"model":"g","max_tokens":100,"max_completion_tokens":300,"n":2,"messages":[{"role":"user","content":"hi"}]}""");

        Assert.Equal(600, estimate.OutputTokens(Group(50)));
    }

    [Fact]
    public void NoMaxTokens_ReservesTheLargestDeploymentDefaultElse4096()
    {
        var estimate = Parse("""{"model":"g","messages":[{"role":"user","content":"hi"}]}""");

        Assert.Equal(2_000, estimate.OutputTokens(Group(1_000, 2_000)));
        Assert.Equal(RequestEstimate.DefaultOutputCap, estimate.OutputTokens(Group(1_000, null)));
    }

    [Fact]
    public void ThinkingBudgetAtOrAboveTheCap_IsAddedAsTheAnthropicTranslationDoes()
    {
        Assert.Equal(100 + 2_048, Parse(""""{"model":"g","max_tokens":100,"thinking":{"type":"enabled","budget_tokens":2048},"messages":[{"role":"user","content":"hi"}]}"""").OutputTokens(Group(null, 1)));
        Assert.Equal(4_096 + 4_096, Parse(""""{"model":"g","reasoning_effort":"low","messages":[{"role":"user","content":"hi"}]}"""").OutputTokens(Group((int?)null)));
        Assert.Equal(8_000, Parse(""""{"model":"g","max_tokens":8000,"reasoning_effort":"high","messages":[{"role":"user","content":"hi"}]}"""").OutputTokens(Group((int?)null)));
    }

    [Fact]
    public void NonNumericMaxTokens_IsLeftForTheProviderAndReservesTheDefault()
    {
        var estimate = Parse("""{"model":"g","max_tokens":"lots","n":{"x":1},"messages":[{"role":"user","content":"hi"}]}""");

        Assert.Equal(RequestEstimate.DefaultOutputCap, estimate.OutputTokens(Group((int?)null)));
    }

    [Fact]
    public void PromptEstimate_IsATokenPerFourBodyBytes()
    {
        const string json = """{"model":"g","max_tokens":10,"messages":[{"role":"user","content":"hello there"}]}""";

        Assert.Equal((Encoding.UTF8.GetByteCount(json) + 3) / 4, Parse(json).PromptTokens);
    }

    [Fact]
    public void CountType_ChoosesWhatIsReservedFromTpm()
    {
        var estimate = new RequestEstimate(PromptTokens: 100, OutputCap: 10);

        Assert.Equal(110, estimate.Tokens(TokenRateLimitType.Total, 10));
        Assert.Equal(100, estimate.Tokens(TokenRateLimitType.Input, 10));
        Assert.Equal(10, estimate.Tokens(TokenRateLimitType.Output, 10));
    }
}

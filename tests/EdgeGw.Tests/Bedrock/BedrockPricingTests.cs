using EdgeGw.Config;
using EdgeGw.Json;
using EdgeGw.Spend;

namespace EdgeGw.Tests.Bedrock;

public sealed class BedrockPricingTests
{
    private static Deployment D(string modelId) => new()
    {
        Index = 0, ModelName = "m", Provider = "bedrock", ModelId = modelId, Id = "id",
    };

    private static Usage U(long prompt, long completion) => new() { Present = true, PromptTokens = prompt, CompletionTokens = completion };

    [Theory]
    [InlineData("anthropic.claude-3-5-sonnet-20240620-v1:0", 3, 15)]
    [InlineData("us.anthropic.claude-3-5-sonnet-20240620-v1:0", 3, 15)]
    [InlineData("eu.anthropic.claude-3-7-sonnet-20250219-v1:0", 3, 15)]
    [InlineData("anthropic.claude-3-5-haiku-20241022-v1:0", 0.8, 4)]
    [InlineData("apac.anthropic.claude-sonnet-4-20250514-v1:0", 3, 15)]
    [InlineData("amazon.nova-pro-v1:0", 0.8, 3.2)]
    [InlineData("us.amazon.nova-lite-v1:0", 0.06, 0.24)]
    [InlineData("amazon.nova-micro-v1:0", 0.035, 0.14)]
    [InlineData("meta.llama3-1-70b-instruct-v1:0", 0.72, 0.72)]
    [InlineData("mistral.mistral-large-2402-v1:0", 4, 12)]
    [InlineData("converse/anthropic.claude-3-5-sonnet-20240620-v1:0", 3, 15)]
    [InlineData("arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-5-sonnet-20240620-v1:0", 3, 15)]
    public void BedrockModelId_BillsAtItsBedrockPrice(string modelId, double inputPerMillion, double outputPerMillion)
    {
        var cost = CostCalculator.Cost(D(modelId), U(1_000_000, 1_000_000));

        Assert.Equal((decimal)inputPerMillion + (decimal)outputPerMillion, cost);
    }
}

using System.Collections.Concurrent;
using System.Net;
using EdgeGw.Tests.Infrastructure;
using Microsoft.AspNetCore.Http.Features;

namespace EdgeGw.Tests.Bedrock;

/// <summary>The Converse path for each way LiteLLM configs name a Bedrock model: the id percent-encoded as one segment.</summary>
public sealed class BedrockModelPathTests
{
    [Theory]
    [InlineData("bedrock/anthropic.claude-3-haiku-20240307-v1:0", "/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse")]
    [InlineData("bedrock/converse/eu.anthropic.claude-3-7-sonnet-20250219-v1:0", "/model/eu.anthropic.claude-3-7-sonnet-20250219-v1%3A0/converse")]
    [InlineData("bedrock/global.anthropic.claude-sonnet-4-20250514-v1:0", "/model/global.anthropic.claude-sonnet-4-20250514-v1%3A0/converse")]
    [InlineData("bedrock/arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc123",
        "/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Aapplication-inference-profile%2Fabc123/converse")]
    [InlineData("amazon.nova-lite-v1:0", "/model/amazon.nova-lite-v1%3A0/converse")]
    public async Task ModelId_PercentEncodedInTheConversePath(string model, string target)
    {
        await using var upstream = await FakeUpstream.StartAsync();
        var targets = new ConcurrentQueue<string>();
        upstream.Handle(async (c, _) =>
        {
            targets.Enqueue(c.Features.Get<IHttpRequestFeature>()!.RawTarget);
            c.Response.ContentType = "application/json";
            await c.Response.WriteAsync(BedrockWireFixtures.TextAnswer("ok"));
        });
        await using var gateway = await TestGateway.StartAsync($"""
            - model_name: m
              litellm_params:
                model: {model}
                api_base: {upstream.Url}
                aws_region_name: us-east-1
                aws_access_key_id: AKIDEXAMPLE
                aws_secret_access_key: secret-example-key
            """);

        using var response = await gateway.PostJsonAsync("/v1/chat/completions", """{"model":"m","messages":[{"role":"user","content":"hi"}]}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(target, targets.Single());
    }
}

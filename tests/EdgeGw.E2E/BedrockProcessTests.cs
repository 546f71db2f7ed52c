using System.Net;
using System.Text;
using EdgeGw.Tests.Infrastructure;

namespace EdgeGw.E2E;

/// <summary>bedrock/ on the native binary: SigV4 signing, Converse translation and the binary event stream under AOT.</summary>
public sealed class BedrockProcessTests : IAsyncLifetime
{
    private FakeUpstream _bedrock = null!;
    private GatewayProcess _gateway = null!;

    public async Task InitializeAsync()
    {
        _bedrock = await FakeUpstream.StartAsync();
        _gateway = await GatewayProcess.StartAsync($"""
            model_list:
              - model_name: claude-bedrock
                litellm_params:
                  model: bedrock/us.anthropic.claude-3-5-sonnet-20240620-v1:0
                  api_base: {_bedrock.Url}
                  aws_region_name: us-east-1
                  aws_access_key_id: AKIDEXAMPLE
                  aws_secret_access_key: wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY
            general_settings:
              master_key: {GatewayProcess.MasterKey}
            """);
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _bedrock.DisposeAsync();
    }

    [Fact]
    public async Task ConverseAnswer_ReachesOpenAiClientFromASignedCall()
    {
        _bedrock.RespondJson("""{"output":{"message":{"role":"assistant","content":[{"text":"Native café"}]}},"stopReason":"end_turn","usage":{"inputTokens":5,"outputTokens":2,"totalTokens":7},"metrics":{"latencyMs":10}}""");

        using var response = await _gateway.Client.PostAsync("/v1/chat/completions", new StringContent(
            """{"model":"claude-bedrock","messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("Native café", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Matches(@"^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/\d{8}/us-east-1/bedrock/aws4_request, SignedHeaders=\S+, Signature=[0-9a-f]{64}$",
            _bedrock.LastRequest.Headers["authorization"]);
    }

    [Fact]
    public async Task ConverseStream_EventStreamFramesBecomeOpenAiChunks()
    {
        byte[][] frames =
        [
            AwsEventStreamFrames.Event("messageStart", """{"role":"assistant"}"""),
            AwsEventStreamFrames.Event("contentBlockDelta", """{"contentBlockIndex":0,"delta":{"text":"Hello "},"p":"abcdef"}"""),
            AwsEventStreamFrames.Event("contentBlockDelta", """{"contentBlockIndex":0,"delta":{"text":"native ☕"}}"""),
            AwsEventStreamFrames.Event("contentBlockStop", """{"contentBlockIndex":0}"""),
            AwsEventStreamFrames.Event("messageStop", """{"stopReason":"end_turn"}"""),
            AwsEventStreamFrames.Event("metadata", """{"usage":{"inputTokens":5,"outputTokens":3,"totalTokens":8},"metrics":{"latencyMs":9}}"""),
        ];
        _bedrock.Handle(async (c, _) =>
        {
            c.Response.ContentType = "application/vnd.amazon.eventstream";
            foreach (var frame in frames)
            {
                await c.Response.Body.WriteAsync(frame);
                await c.Response.Body.FlushAsync();
            }
        });

        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent("""{"model":"claude-bedrock","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json"),
        };
        using var response = await _gateway.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Hello native ☕", Sse.Text(body));
        Assert.Equal(8, Sse.Chunks(body)[^1].GetProperty("usage").GetProperty("total_tokens").GetInt32());
        Assert.EndsWith("data: [DONE]\n\n", body, StringComparison.Ordinal);
        Assert.EndsWith("/converse-stream", _bedrock.LastRequest.PathAndQuery, StringComparison.Ordinal);
    }
}

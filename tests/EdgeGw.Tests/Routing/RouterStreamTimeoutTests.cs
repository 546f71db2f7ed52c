using System.Net;
using EdgeGw.Tests.Infrastructure;

namespace EdgeGw.Tests.Routing;

/// <summary><c>router_settings.stream_timeout</c>: the wait for a stream's bytes when the deployment sets none.</summary>
public sealed class RouterStreamTimeoutTests
{
    private const string StreamRequest = """{"model":"gpt","stream":true,"messages":[{"role":"user","content":"hi"}]}""";

    [Fact]
    public async Task RouterStreamTimeout_EndsAStalledStreamWithATimeoutEvent()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await TestGateway.StartAsync($"""
            - model_name: gpt
              litellm_params:
                model: openai/gpt-4o
                api_base: {upstream.Url}/v1
                api_key: sk-upstream
                timeout: 60
            """, "router_settings:\n  num_retries: 0\n  stream_timeout: 2\n");
        // 2 s, not less: on a loaded 2-core CI box the first chunk itself once took over 0.5 s (a 504 before any byte).
        upstream.Handle(async (c, _) =>
        {
            c.Response.ContentType = "text/event-stream";
            await c.Response.WriteAsync("data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"},\"finish_reason\":null}]}\n\n");
            await c.Response.Body.FlushAsync();
            await Task.Delay(TimeSpan.FromSeconds(20), c.RequestAborted);
        });

        using var response = await gateway.PostStreamAsync("/v1/chat/completions", StreamRequest);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal("timeout", Sse.Parse(body)[^1].Json.GetProperty("error").GetProperty("type").GetString());
    }

    [Fact]
    public void RouterStreamTimeout_IsNotListedAsIgnored()
    {
        var config = EdgeGw.Config.ConfigLoader.Parse("model_list: []\nrouter_settings: { stream_timeout: 30 }\ngeneral_settings: { master_key: sk-m }\n", _ => null);
        Assert.Equal(TimeSpan.FromSeconds(30), config.Router.StreamTimeout);
        Assert.Empty(config.IgnoredKeys);
    }
}

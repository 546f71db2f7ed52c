using System.Net;
using EdgeGw.Config;
using EdgeGw.Tests.Infrastructure;

namespace EdgeGw.Tests.Cache;

/// <summary>A config reload turning the response cache on, off and on again, without a restart.</summary>
public sealed class CacheReloadTests
{
    private const string Completion = """
        {"id":"chatcmpl-rl","object":"chat.completion","created":1764000000,"model":"gpt-4o","choices":[{"index":0,"message":{"role":"assistant","content":"reloaded words"},"finish_reason":"stop"}],"usage":{"prompt_tokens":9,"completion_tokens":2,"total_tokens":11}}
        """;
    private const string Chat = """{"model":"gpt","messages":[{"role":"user","content":"reload me"}]}""";
    private const string CacheOn = """
        litellm_settings:
          cache: true
          cache_params: { type: local }
        """;

    /// <summary>The config a SIGHUP would read: the same model and master key, with <paramref name="extraYaml"/>.</summary>
    internal static GatewayConfig Config(FakeUpstream upstream, string extraYaml) => ConfigLoader.Parse($"""
        model_list:
        {string.Join('\n', OpenAiDeploymentYaml.Of("gpt", upstream).Trim('\n').Split('\n').Select(l => "  " + l))}
        general_settings:
          master_key: {TestGateway.MasterKey}
        {extraYaml}
        """, _ => null);

    private static async Task<bool> HitAsync(TestGateway gateway)
    {
        using var response = await gateway.PostJsonAsync("/v1/chat/completions", Chat);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return response.Headers.Contains("x-litellm-cache-key");
    }

    /// <summary>Stores are off the client's path: waits (at most 2 s) until the local store holds an entry.</summary>
    private static async Task WaitForEntryAsync(TestGateway gateway)
    {
        for (var i = 0; i < 100 && gateway.Runtime.Cache?.Local?.Count is null or 0; i++)
            await Task.Delay(20);
    }

    [Fact]
    public async Task ReloadAddingCacheTrue_SecondIdenticalRequestIsAHit()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.RespondJson(Completion);
        await using var gateway = await TestGateway.StartAsync(OpenAiDeploymentYaml.Of("gpt", upstream));
        Assert.False(await HitAsync(gateway));

        gateway.Runtime.Replace(Config(upstream, CacheOn));
        Assert.False(await HitAsync(gateway));
        await WaitForEntryAsync(gateway);
        Assert.True(await HitAsync(gateway));

        Assert.Equal(2, upstream.Requests.Count);
    }

    [Fact]
    public async Task ReloadTurningCacheOffThenOn_OffGoesUpstreamOnHitsAgain()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.RespondJson(Completion);
        await using var gateway = await TestGateway.StartAsync(OpenAiDeploymentYaml.Of("gpt", upstream), CacheOn);
        Assert.False(await HitAsync(gateway));
        await WaitForEntryAsync(gateway);

        gateway.Runtime.Replace(Config(upstream, ""));
        Assert.False(await HitAsync(gateway));
        gateway.Runtime.Replace(Config(upstream, CacheOn));
        Assert.True(await HitAsync(gateway));

        Assert.Equal(2, upstream.Requests.Count);
    }
}

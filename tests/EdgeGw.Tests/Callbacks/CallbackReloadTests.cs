using EdgeGw.Tests.Infrastructure;

namespace EdgeGw.Tests.Callbacks;

/// <summary>A config reload (SIGHUP) keeps the running callback workers, queues and drop counts unless their settings changed.</summary>
public sealed class CallbackReloadTests
{
    private static string Callbacks(FakeUpstream sink, string token) => $"""
        litellm_settings:
          callbacks: ["hook"]
        callback_settings:
          hook:
            callback_type: generic_api
            endpoint: {sink.Url}/logs
            flush_interval: 0.02
            headers:
              Authorization: Bearer {token}
              X-Team: search
        """;

    [Fact]
    public async Task ReloadWithUnchangedCallbackSettings_KeepsTheRunningDispatcher()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var sink = await FakeUpstream.StartAsync();
        await using var gateway = await TestGateway.StartAsync(OpenAiDeploymentYaml.Of("gpt", upstream), Callbacks(sink, "one"));
        var running = gateway.Runtime.Data.Ledger.Callbacks;
        Assert.NotNull(running);

        gateway.Runtime.Replace(Cache.CacheReloadTests.Config(upstream, Callbacks(sink, "one")));

        Assert.Same(running, gateway.Runtime.Data.Ledger.Callbacks);
    }

    [Fact]
    public async Task ReloadWithChangedHeader_StartsADispatcherSendingTheNewHeader()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.RespondJson("""
            {"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"gpt-4o","choices":[{"index":0,"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}],"usage":{"prompt_tokens":7,"completion_tokens":3,"total_tokens":10}}
            """);
        await using var sink = await FakeUpstream.StartAsync();
        sink.RespondJson("{}");
        await using var gateway = await TestGateway.StartAsync(OpenAiDeploymentYaml.Of("gpt", upstream), Callbacks(sink, "one"));
        var running = gateway.Runtime.Data.Ledger.Callbacks;

        gateway.Runtime.Replace(Cache.CacheReloadTests.Config(upstream, Callbacks(sink, "two")));
        using var response = await gateway.PostJsonAsync("/v1/chat/completions", """{"model":"gpt","messages":[{"role":"user","content":"hi"}]}""");

        Assert.NotSame(running, gateway.Runtime.Data.Ledger.Callbacks);
        for (var i = 0; i < 250 && sink.Requests.IsEmpty; i++)
            await Task.Delay(20);
        Assert.Equal("Bearer two", Assert.Single(sink.Requests).Headers["authorization"]);
    }
}

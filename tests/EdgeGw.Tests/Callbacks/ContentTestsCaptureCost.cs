using EdgeGw.Observability.Callbacks;
using EdgeGw.Tests.Api;
using EdgeGw.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace EdgeGw.Tests.Callbacks;

/// <summary>What capturing content costs a request that does not log it: nothing.</summary>
public sealed class ContentTestsCaptureCost
{
    private static readonly byte[] Body = """{"model":"cheap","messages":[{"role":"user","content":"a private question"}]}"""u8.ToArray();

    [Fact]
    public async Task NoCallbacksConfigured_NothingCapturedAndNothingAllocated()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await TestGateway.StartAsync(OpenAiDeploymentYaml.Of("cheap", upstream));
        var state = gateway.Runtime.Current;
        var http = new DefaultHttpContext();
        var responseBody = http.Features.Get<IHttpResponseBodyFeature>();
        var prompt = new CallbackPrompt(Body, PromptKind.ChatMessages);

        Assert.Null(ContentCapture.Begin(http, state, prompt));
        Assert.Same(responseBody, http.Features.Get<IHttpResponseBodyFeature>());
        Assert.Equal(0, HotPathAllocationTests.AllocatedBy(() => ContentCapture.Begin(http, state, prompt)));
    }

    [Fact]
    public async Task TurnOffMessageLogging_ResponseNotWrappedAndNothingAllocated()
    {
        await using var hook = await WebhookGateway.StartAsync("  turn_off_message_logging: true");
        var state = hook.Gateway.Runtime.Current;
        var http = new DefaultHttpContext();
        var responseBody = http.Features.Get<IHttpResponseBodyFeature>();
        var prompt = new CallbackPrompt(Body, PromptKind.ChatMessages);

        var capture = ContentCapture.Begin(http, state, prompt);
        Assert.True(capture!.Finish(http, new EdgeGw.Providers.ProviderResult(null, true, default)).Redacted);
        Assert.Same(responseBody, http.Features.Get<IHttpResponseBodyFeature>());
        Assert.Equal(0, HotPathAllocationTests.AllocatedBy(() => ContentCapture.Begin(http, state, prompt)));
    }
}

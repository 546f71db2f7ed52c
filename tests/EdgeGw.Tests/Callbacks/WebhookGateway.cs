using System.Text.Json;
using EdgeGw.Tests.Infrastructure;

namespace EdgeGw.Tests.Callbacks;

/// <summary>A gateway with one generic_api callback ("hook") posting to a webhook sink on loopback, over a fake OpenAI upstream.</summary>
internal sealed class WebhookGateway : IAsyncDisposable
{
    private WebhookGateway(FakeUpstream upstream, FakeUpstream sink, TestGateway gateway)
    {
        Upstream = upstream;
        Sink = sink;
        Gateway = gateway;
    }

    public FakeUpstream Upstream { get; }
    public FakeUpstream Sink { get; }
    public TestGateway Gateway { get; }

    /// <param name="litellmSettings">More <c>litellm_settings</c> lines (indented by two spaces).</param>
    public static async Task<WebhookGateway> StartAsync(string litellmSettings = "")
    {
        var upstream = await FakeUpstream.StartAsync();
        var sink = await FakeUpstream.StartAsync();
        sink.RespondJson("""{"status":"ok"}""");
        var gateway = await TestGateway.StartAsync(OpenAiDeploymentYaml.Of("cheap", upstream), $"""
            litellm_settings:
              callbacks: ["hook"]
            {litellmSettings}
            callback_settings:
              hook:
                callback_type: generic_api
                endpoint: {sink.Url}/logs
                flush_interval: 0.02
            """);
        return new WebhookGateway(upstream, sink, gateway);
    }

    public static string CallId(HttpResponseMessage response) => response.Headers.GetValues("x-litellm-call-id").Single();

    /// <summary>The payload the sink got for <paramref name="id"/>, waiting (bounded: 10 s) until it arrives.</summary>
    public Task<JsonElement> PayloadAsync(string id) => PayloadAsync(Sink, id);

    /// <summary>The payload <paramref name="sink"/> got for <paramref name="id"/>, waiting (bounded: 10 s) until it arrives.</summary>
    public static async Task<JsonElement> PayloadAsync(FakeUpstream sink, string id)
    {
        for (var i = 0; i < 500; i++)
        {
            foreach (var request in sink.Requests)
            {
                foreach (var payload in JsonDocument.Parse(request.Body).RootElement.EnumerateArray())
                {
                    if (payload.GetProperty("id").GetString() == id)
                        return payload.Clone();
                }
            }
            await Task.Delay(20);
        }
        throw new TimeoutException($"no payload for {id} within 10 s");
    }

    /// <summary>Every body the sink received, as text.</summary>
    public string AllPayloadText => string.Join('\n', Sink.Requests.Select(r => r.BodyText));

    public async ValueTask DisposeAsync()
    {
        await Gateway.DisposeAsync();
        await Sink.DisposeAsync();
        await Upstream.DisposeAsync();
    }
}

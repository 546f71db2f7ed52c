using System.Text.Json;
using EdgeGw.Tests.Infrastructure;

namespace EdgeGw.Tests.Providers.Gemini;

/// <summary>A gateway with one <c>gemini/</c> deployment in front of a fake Gemini on loopback.</summary>
public abstract class GeminiTestBase : IAsyncLifetime
{
    public const string UpstreamKey = "AIzaSy-test-upstream-key-7731";
    public const string ModelName = "my-gemini";
    public const string ChatPath = "/v1/chat/completions";

    protected FakeUpstream Upstream { get; private set; } = null!;
    protected TestGateway Gateway { get; private set; } = null!;

    protected virtual string ExtraYaml => "";
    protected virtual string ExtraParams => "";
    protected virtual string ApiBaseSuffix => "";
    protected virtual string ModelId => "gemini-2.5-flash";

    public async Task InitializeAsync()
    {
        Upstream = await FakeUpstream.StartAsync();
        Gateway = await TestGateway.StartAsync($"""
            - model_name: {ModelName}
              litellm_params:
                model: gemini/{ModelId}
                api_base: {Upstream.Url}{ApiBaseSuffix}
                api_key: {UpstreamKey}
                extra_headers:
                  X-Team: edge{ExtraParams}
            """, ExtraYaml);
    }

    public async Task DisposeAsync()
    {
        await Gateway.DisposeAsync();
        await Upstream.DisposeAsync();
    }

    protected Task<HttpResponseMessage> ChatAsync(string json) => Gateway.PostJsonAsync(ChatPath, json);

    protected async Task<string> StreamAsync(string json)
    {
        using var response = await Gateway.PostStreamAsync(ChatPath, json);
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    protected static async Task<JsonElement> JsonAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

    /// <summary>The JSON body the fake Gemini received last.</summary>
    protected JsonElement Sent => Upstream.LastRequest.Json().RootElement;

    protected static string UserMessage(string extra = "") =>
        $$"""{"model":"{{ModelName}}","messages":[{"role":"user","content":"hello"}]{{extra}}}""";

    protected static JsonElement Error(JsonElement body) => body.GetProperty("error");
}

/// <summary>Gemini's wire bytes, written for these tests.</summary>
public static class GeminiWireFixtures
{
    /// <summary>One SSE event as Gemini frames it (CRLF line ends).</summary>
    public static string Event(string json) => "data: " + json + "\r\n\r\n";

    public static string TextEvent(string escapedText, string? finish = null, string usage = """{"promptTokenCount":9,"totalTokenCount":9}""", string responseId = "resp-abc123") =>
        $$"""{"candidates":[{"content":{"parts":[{"text":"{{escapedText}}"}],"role":"model"}{{(finish is null ? "" : $",\"finishReason\":\"{finish}\"")}},"index":0}],"usageMetadata":{{usage}},"modelVersion":"gemini-2.5-flash","responseId":"{{responseId}}"}""";

    public const string FinalUsage = """{"promptTokenCount":9,"candidatesTokenCount":5,"thoughtsTokenCount":3,"cachedContentTokenCount":2,"totalTokenCount":17}""";

    public static string Response(string candidates, string usage = FinalUsage, string responseId = "resp-xyz789") =>
        $$"""{"candidates":{{candidates}},"usageMetadata":{{usage}},"modelVersion":"gemini-2.5-flash","responseId":"{{responseId}}"}""";

    public static string TextResponse(string escapedText, string finish = "STOP") =>
        Response($$"""[{"content":{"parts":[{"text":"{{escapedText}}"}],"role":"model"},"finishReason":"{{finish}}","index":0}]""");

    public const string Simple = """{"candidates":[{"content":{"parts":[{"text":"ok"}],"role":"model"},"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":3,"candidatesTokenCount":1,"totalTokenCount":4},"responseId":"r1"}""";
}

using System.Collections.Concurrent;
using System.Text.Json;
using EdgeGw.Tests.Infrastructure;
using Microsoft.AspNetCore.Http.Features;

namespace EdgeGw.Tests.Bedrock;

/// <summary>
/// A gateway with one <c>bedrock/</c> deployment (static AWS keys, region us-east-1) in front of a
/// fake Bedrock Runtime on loopback that answers Converse JSON or ConverseStream event-stream frames.
/// </summary>
public abstract class BedrockTestBase : IAsyncLifetime
{
    public const string AccessKeyId = "AKIDEXAMPLE";
    public const string SecretKey = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    public const string ModelName = "my-bedrock";
    public const string ModelId = "us.anthropic.claude-3-5-sonnet-20240620-v1:0";
    public const string ChatPath = "/v1/chat/completions";

    protected FakeUpstream Upstream { get; private set; } = null!;
    protected TestGateway Gateway { get; private set; } = null!;

    /// <summary>The request targets as sent on the wire (percent-encoding intact).</summary>
    protected ConcurrentQueue<string> RawTargets { get; } = new();

    protected virtual string Credentials => $"""
            aws_access_key_id: {AccessKeyId}
            aws_secret_access_key: {SecretKey}
        """;
    protected virtual string ExtraYaml => "";
    protected virtual string DeploymentYaml => "";

    public async Task InitializeAsync()
    {
        Upstream = await FakeUpstream.StartAsync();
        Gateway = await TestGateway.StartAsync($"""
            - model_name: {ModelName}
              litellm_params:
                model: bedrock/{ModelId}
                api_base: {Upstream.Url}
                aws_region_name: us-east-1
            {Credentials}{DeploymentYaml}
            """, ExtraYaml);
    }

    public async Task DisposeAsync()
    {
        await Gateway.DisposeAsync();
        await Upstream.DisposeAsync();
    }

    /// <summary>Answers every Converse call with <paramref name="json"/>.</summary>
    protected void RespondConverse(string json, int status = 200, string? errorType = null) => Upstream.Handle(async (c, _) =>
    {
        Record(c);
        c.Response.StatusCode = status;
        c.Response.ContentType = "application/json";
        c.Response.Headers["x-amzn-RequestId"] = "5d2f1a7e-0000-4000-8000-000000000001";
        if (errorType is not null)
            c.Response.Headers["x-amzn-ErrorType"] = errorType + ":http://internal.amazon.com/coral/com.amazon.bedrock/";
        await c.Response.WriteAsync(json);
    });

    /// <summary>Answers ConverseStream with the frames, each written and flushed on its own.</summary>
    protected void RespondFrames(params byte[][] frames) => Upstream.Handle(async (c, _) =>
    {
        Record(c);
        c.Response.StatusCode = 200;
        c.Response.ContentType = "application/vnd.amazon.eventstream";
        foreach (var frame in frames)
        {
            await c.Response.Body.WriteAsync(frame);
            await c.Response.Body.FlushAsync();
        }
    });

    private void Record(HttpContext c) => RawTargets.Enqueue(c.Features.Get<IHttpRequestFeature>()!.RawTarget);

    protected Task<HttpResponseMessage> ChatAsync(string json) => Gateway.PostJsonAsync(ChatPath, json);

    protected async Task<string> StreamAsync(string json, string path = ChatPath)
    {
        using var response = await Gateway.PostStreamAsync(path, json);
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    protected static async Task<JsonElement> JsonAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

    /// <summary>The Converse body the fake Bedrock received last.</summary>
    protected JsonElement Sent => Upstream.LastRequest.Json().RootElement;

    protected static string UserMessage(string extra = "") =>
        $$"""{"model":"{{ModelName}}","messages":[{"role":"user","content":"hello"}]{{extra}}}""";
}

/// <summary>Bedrock's wire bytes, written for these tests (shapes from the botocore bedrock-runtime model).</summary>
public static class BedrockWireFixtures
{
    public static string Converse(string content, string stopReason = "end_turn", string usage = """{"inputTokens":12,"outputTokens":9,"totalTokens":21}""") =>
        "{\"output\":{\"message\":{\"role\":\"assistant\",\"content\":" + content + "}},\"stopReason\":\"" + stopReason + "\",\"usage\":" + usage + ",\"metrics\":{\"latencyMs\":412}}";

    public static string TextAnswer(string escapedText, string stopReason = "end_turn") => Converse($$"""[{"text":"{{escapedText}}"}]""", stopReason);

    public static byte[] MessageStart() => AwsEventStreamFrames.Event("messageStart", """{"p":"abcdefgh","role":"assistant"}""");

    public static byte[] TextDelta(string escapedText, int index = 0) =>
        AwsEventStreamFrames.Event("contentBlockDelta", $$"""{"contentBlockIndex":{{index}},"delta":{"text":"{{escapedText}}"},"p":"abcdefghijklmnopqrstuvwxyzABCDEFGHIJ"}""");

    public static byte[] ToolStart(int index, string id, string name) =>
        AwsEventStreamFrames.Event("contentBlockStart", $$$"""{"contentBlockIndex":{{{index}}},"start":{"toolUse":{"toolUseId":"{{{id}}}","name":"{{{name}}}"}},"p":"abcd"}""");

    public static byte[] ToolInput(int index, string escapedFragment) =>
        AwsEventStreamFrames.Event("contentBlockDelta", $$$"""{"contentBlockIndex":{{{index}}},"delta":{"toolUse":{"input":"{{{escapedFragment}}}"}},"p":"ab"}""");

    public static byte[] ReasoningDelta(string escapedText, int index = 0) =>
        AwsEventStreamFrames.Event("contentBlockDelta", "{\"contentBlockIndex\":" + index + ",\"delta\":{\"reasoningContent\":{\"text\":\"" + escapedText + "\"}}}");

    public static byte[] BlockStop(int index) => AwsEventStreamFrames.Event("contentBlockStop", $$"""{"contentBlockIndex":{{index}},"p":"abc"}""");

    public static byte[] MessageStop(string stopReason) => AwsEventStreamFrames.Event("messageStop", $$"""{"stopReason":"{{stopReason}}","p":"abcdef"}""");

    public static byte[] Metadata(string usage = """{"inputTokens":11,"outputTokens":7,"totalTokens":18}""") =>
        AwsEventStreamFrames.Event("metadata", $$"""{"usage":{{usage}},"metrics":{"latencyMs":230},"p":"abcdefg"}""");

    /// <summary>A whole text answer: start, deltas, stops, metadata.</summary>
    public static byte[][] TextStream(params string[] pieces) =>
        [MessageStart(), .. pieces.Select(p => TextDelta(p)), BlockStop(0), MessageStop("end_turn"), Metadata()];
}

using System.Net;
using System.Text;
using EdgeGw.Tests.Infrastructure;

namespace EdgeGw.Tests.Streaming;

/// <summary>
/// The whole relay path (socket → PipeReader → SseParser → OpenAiStreamRelay → client) when the
/// upstream dribbles its stream out in tiny pieces that split lines, CRLFs and UTF-8 sequences.
/// </summary>
public sealed class SplitUpstreamStreamTests : IAsyncLifetime
{
    private FakeUpstream _upstream = null!;
    private TestGateway _gateway = null!;

    public async Task InitializeAsync()
    {
        _upstream = await FakeUpstream.StartAsync();
        _gateway = await TestGateway.StartAsync($"""
            - model_name: split-gpt
              litellm_params:
                model: openai/gpt-x
                api_base: {_upstream.Url}/v1
                api_key: sk-upstream
            """);
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _upstream.DisposeAsync();
    }

    private static byte[] Stream(string lineEnd)
    {
        string[] words = ["Grüße", " 東京", " 🌸🎉", " \\\"q\\\"", " 👩‍💻", " 中文", " fin."];
        var sb = new StringBuilder();
        for (var i = 0; i < words.Length; i++)
        {
            sb.Append($$$"""data: {"id":"chatcmpl-split","object":"chat.completion.chunk","created":1763790000,"model":"gpt-x","choices":[{"index":0,"delta":{"content":"{{{words[i]}}}"},"finish_reason":null}],"usage":null}""");
            sb.Append(lineEnd).Append(lineEnd);
            if (i == 3)
                sb.Append(": keep-alive").Append(lineEnd).Append(lineEnd);
        }
        sb.Append("""data: {"id":"chatcmpl-split","object":"chat.completion.chunk","created":1763790000,"model":"gpt-x","choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":null}""").Append(lineEnd).Append(lineEnd);
        sb.Append("""data: {"id":"chatcmpl-split","object":"chat.completion.chunk","created":1763790000,"model":"gpt-x","choices":[],"usage":{"prompt_tokens":5,"completion_tokens":7,"total_tokens":12}}""").Append(lineEnd).Append(lineEnd);
        sb.Append("data: [DONE]").Append(lineEnd).Append(lineEnd);
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    private void RespondInPieces(byte[] bytes, Random? random) => _upstream.Handle(async (c, _) =>
    {
        c.Response.StatusCode = 200;
        c.Response.ContentType = "text/event-stream";
        for (var at = 0; at < bytes.Length;)
        {
            var length = random is null ? bytes.Length : Math.Min(bytes.Length - at, random.Next(4) == 0 ? 1 : random.Next(1, 8));
            await c.Response.Body.WriteAsync(bytes.AsMemory(at, length));
            await c.Response.Body.FlushAsync();
            at += length;
        }
    });

    private async Task<string> ClientBodyAsync(string request)
    {
        using var response = await _gateway.PostStreamAsync("/v1/chat/completions", request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    [Theory]
    [InlineData("\n", false)]
    [InlineData("\n", true)]
    [InlineData("\r\n", false)]
    [InlineData("\r\n", true)]
    public async Task UpstreamInTinyPieces_ClientGetsSameBytesAsUnsplit(string lineEnd, bool clientWantsUsage)
    {
        var bytes = Stream(lineEnd);
        var request = clientWantsUsage
            ? """{"model":"split-gpt","messages":[{"role":"user","content":"hi"}],"stream":true,"stream_options":{"include_usage":true}}"""
            : """{"model":"split-gpt","messages":[{"role":"user","content":"hi"}],"stream":true}""";
        RespondInPieces(bytes, random: null);
        var unsplit = await ClientBodyAsync(request);

        for (var seed = 1; seed <= 4; seed++)
        {
            RespondInPieces(bytes, new Random(seed));

            Assert.Equal(unsplit, await ClientBodyAsync(request));
        }
        Assert.Equal("Grüße 東京 🌸🎉 \"q\" 👩‍💻 中文 fin.", Sse.Text(unsplit));
        Assert.Equal(clientWantsUsage, unsplit.Contains("\"total_tokens\":12", StringComparison.Ordinal));
        Assert.EndsWith("data: [DONE]\n\n", unsplit, StringComparison.Ordinal);
    }
}

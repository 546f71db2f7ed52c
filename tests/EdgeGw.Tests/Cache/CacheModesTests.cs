using System.Net;
using System.Net.Http.Headers;
using System.Text;
using EdgeGw.Tests.Infrastructure;

namespace EdgeGw.Tests.Cache;

/// <summary><c>mode: default_off</c>, call types, /v1/messages and /v1/embeddings answers, and the caller's rpm on hits.</summary>
public sealed class CacheModesTests
{
    private const string Completion = """
        {"id":"chatcmpl-m1","object":"chat.completion","created":1764000000,"model":"gpt-4o","choices":[{"index":0,"message":{"role":"assistant","content":"ok"},"finish_reason":"stop"}],"usage":{"prompt_tokens":5,"completion_tokens":1,"total_tokens":6}}
        """;
    private const string Embeddings = """
        {"object":"list","data":[{"object":"embedding","index":0,"embedding":[0.1,0.2]}],"model":"text-embedding-3-small","usage":{"prompt_tokens":2,"total_tokens":2}}
        """;
    private const string Chat = """{"model":"gpt","messages":[{"role":"user","content":"again"}]}""";

    private static async Task<(TestGateway Gateway, FakeUpstream Upstream)> StartAsync(string cacheParams, string response = Completion,
        params string[] deployment)
    {
        var upstream = await FakeUpstream.StartAsync();
        upstream.RespondJson(response);
        var gateway = await TestGateway.StartAsync(OpenAiDeploymentYaml.Of("gpt", upstream, "", deployment), $$"""
            litellm_settings:
              cache: true
              cache_params: { type: local{{cacheParams}} }
            """);
        return (gateway, upstream);
    }

    private static async Task<string> PostAsync(TestGateway gateway, string path, string body, string? key = null, HttpStatusCode expected = HttpStatusCode.OK)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key ?? TestGateway.MasterKey);
        using var response = await gateway.Client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{(int)response.StatusCode}: {text}");
        return text;
    }

    [Fact]
    public async Task DefaultOff_OnlyRequestsWithUseCacheAreCached()
    {
        var (gateway, upstream) = await StartAsync(", mode: default_off");
        await using (gateway)
        await using (upstream)
        {
            await PostAsync(gateway, "/v1/chat/completions", Chat);
            await PostAsync(gateway, "/v1/chat/completions", Chat);
            Assert.Equal(2, upstream.Requests.Count);
            var optIn = Chat.Replace("}]", "}],\"cache\":{\"use-cache\":true}", StringComparison.Ordinal);
            await PostAsync(gateway, "/v1/chat/completions", optIn);
            await PostAsync(gateway, "/v1/chat/completions", optIn);
            Assert.Equal(3, upstream.Requests.Count);
        }
    }

    [Fact]
    public async Task CallTypeNotListed_NotCached()
    {
        var (gateway, upstream) = await StartAsync(", supported_call_types: [aembedding]");
        await using (gateway)
        await using (upstream)
        {
            await PostAsync(gateway, "/v1/chat/completions", Chat);
            await PostAsync(gateway, "/v1/chat/completions", Chat);
            Assert.Equal(2, upstream.Requests.Count);
        }
    }

    [Fact]
    public async Task MessagesRequestTwice_SecondIsTheSameAnthropicMessageFromCache()
    {
        var (gateway, upstream) = await StartAsync("");
        await using (gateway)
        await using (upstream)
        {
            const string body = """{"model":"gpt","max_tokens":50,"messages":[{"role":"user","content":"hi there"}]}""";
            var first = await PostAsync(gateway, "/v1/messages", body);
            var second = await PostAsync(gateway, "/v1/messages", body);

            Assert.Single(upstream.Requests);
            Assert.Equal(first, second);
            Assert.Contains("\"type\":\"message\"", second, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task EmbeddingsTwice_SecondFromCache()
    {
        var (gateway, upstream) = await StartAsync("", Embeddings);
        await using (gateway)
        await using (upstream)
        {
            const string body = """{"model":"gpt","input":["hello"]}""";
            var first = await PostAsync(gateway, "/v1/embeddings", body);
            var second = await PostAsync(gateway, "/v1/embeddings", body);

            Assert.Single(upstream.Requests);
            // Same vectors; the hit bills nothing (usage 0), as each input came from the cache.
            Assert.Equal(Data(first), Data(second));
            Assert.Contains("\"prompt_tokens\":0", second, StringComparison.Ordinal);
        }
    }

    private static string Data(string list) => System.Text.Json.JsonDocument.Parse(list).RootElement.GetProperty("data").GetRawText();

    [Fact]
    public async Task HitsCountAgainstTheCallersRpm()
    {
        var (gateway, upstream) = await StartAsync("");
        await using (gateway)
        await using (upstream)
        {
            var key = await gateway.NewKeyAsync("""{"rpm_limit": 2}""");
            await PostAsync(gateway, "/v1/chat/completions", Chat, key);
            await PostAsync(gateway, "/v1/chat/completions", Chat, key);
            var refused = await PostAsync(gateway, "/v1/chat/completions", Chat, key, HttpStatusCode.TooManyRequests);

            Assert.Single(upstream.Requests);
            Assert.Contains("rate", refused, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public async Task DeploymentAtItsRpm_HitStillAnswered()
    {
        var (gateway, upstream) = await StartAsync("", Completion, "rpm: 1");
        await using (gateway)
        await using (upstream)
        {
            await PostAsync(gateway, "/v1/chat/completions", Chat);
            await PostAsync(gateway, "/v1/chat/completions", Chat);
            await PostAsync(gateway, "/v1/chat/completions", Chat);

            Assert.Single(upstream.Requests);
        }
    }
}

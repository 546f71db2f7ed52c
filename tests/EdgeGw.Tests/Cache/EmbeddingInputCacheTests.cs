using System.Net;
using System.Text.Json;
using EdgeGw.Tests.Infrastructure;

namespace EdgeGw.Tests.Cache;

/// <summary>Embeddings cached per input (LiteLLM's reuse), and the route headers a hit carries.</summary>
public sealed class EmbeddingInputCacheTests : IAsyncLifetime
{
    private FakeUpstream _upstream = null!;
    private TestGateway _gateway = null!;

    public async Task InitializeAsync()
    {
        _upstream = await FakeUpstream.StartAsync();
        AnswerByLength(_upstream);
        _gateway = await TestGateway.StartAsync(OpenAiDeploymentYaml.Of("gpt", _upstream, ""), """
            litellm_settings:
              cache: true
              cache_params: { type: local }
            """);
    }

    /// <summary>Each input's vector is [its length + 0.5], so the order of an answer shows which input it is.</summary>
    internal static void AnswerByLength(FakeUpstream upstream) =>
        upstream.Handle(async (context, request) =>
        {
            using var document = request.Json();
            var input = document.RootElement.GetProperty("input");
            string[] texts = input.ValueKind == JsonValueKind.String
                ? [input.GetString()!]
                : [.. input.EnumerateArray().Select(e => e.GetString()!)];
            var data = string.Join(",", texts.Select((t, i) => "{\"object\":\"embedding\",\"index\":" + i + ",\"embedding\":[" + t.Length + ".5]}"));
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync($$$"""
                {"object":"list","data":[{{{data}}}],"model":"text-embedding-3-small","usage":{"prompt_tokens":{{{texts.Length}}},"total_tokens":{{{texts.Length}}}}}
                """);
        });

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _upstream.DisposeAsync();
    }

    private async Task<(HttpResponseMessage Response, JsonElement Body)> EmbedAsync(string input)
    {
        var response = await _gateway.PostJsonAsync("/v1/embeddings", $$"""{"model":"gpt","input":{{input}}}""");
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        return (response, JsonDocument.Parse(text).RootElement.Clone());
    }

    private static string Vectors(JsonElement body) =>
        string.Join(" ", body.GetProperty("data").EnumerateArray().Select(d =>
            $"{d.GetProperty("index").GetInt32()}:{d.GetProperty("embedding")[0].GetDouble()}"));

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.Single() : null;

    [Fact]
    public async Task ThreeInputsTwoCached_UpstreamGetsOnlyTheMissingOne()
    {
        await EmbedAsync("\"a\"");
        await EmbedAsync("[\"ccc\"]");

        var (_, body) = await EmbedAsync("""["a","bb","ccc"]""");

        Assert.Equal(3, _upstream.Requests.Count);
        using var sent = _upstream.LastRequest.Json();
        Assert.Equal("""["bb"]""", sent.RootElement.GetProperty("input").GetRawText());
        Assert.Equal("0:1.5 1:2.5 2:3.5", Vectors(body));
        Assert.Equal(1, body.GetProperty("usage").GetProperty("prompt_tokens").GetInt32());
    }

    [Fact]
    public async Task AllInputsCached_NoUpstreamCallAndNothingBilled()
    {
        await EmbedAsync("""["a","bb"]""");

        var (response, body) = await EmbedAsync("""["bb","a"]""");

        Assert.Single(_upstream.Requests);
        Assert.Equal("0:2.5 1:1.5", Vectors(body));
        Assert.Equal(0, body.GetProperty("usage").GetProperty("prompt_tokens").GetInt32());
        Assert.Equal("gpt", body.GetProperty("model").GetString());
        Assert.NotNull(Header(response, "x-litellm-cache-key"));
    }

    [Fact]
    public async Task SingleStringInputTwice_SecondFromCache()
    {
        var (first, firstBody) = await EmbedAsync("\"hello\"");
        var (second, secondBody) = await EmbedAsync("\"hello\"");

        Assert.Single(_upstream.Requests);
        Assert.Equal("\"hello\"", _upstream.LastRequest.Json().RootElement.GetProperty("input").GetRawText());
        Assert.Null(Header(first, "x-litellm-cache-key"));
        Assert.NotNull(Header(second, "x-litellm-cache-key"));
        Assert.Equal(Vectors(firstBody), Vectors(secondBody));
        Assert.Equal("0:5.5", Vectors(secondBody));
    }

    [Fact]
    public async Task ProviderError_SentOnAndNothingCached()
    {
        _upstream.RespondJson("""{"error":{"message":"bad input","type":"invalid_request_error"}}""", 400);
        var response = await _gateway.PostJsonAsync("/v1/embeddings", """{"model":"gpt","input":["a","bb"]}""");

        var again = await _gateway.PostJsonAsync("/v1/embeddings", """{"model":"gpt","input":["a","bb"]}""");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("bad input", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, again.StatusCode);
        Assert.Equal(2, _upstream.Requests.Count);
    }

    [Fact]
    public async Task PartialHitProviderListsTooFew_502NotAShortList()
    {
        await EmbedAsync("\"a\"");
        _upstream.RespondJson("""{"object":"list","data":[],"model":"m","usage":{"prompt_tokens":1,"total_tokens":1}}""");

        var response = await _gateway.PostJsonAsync("/v1/embeddings", """{"model":"gpt","input":["a","bb"]}""");

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Contains("one embedding per input", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Hit_CarriesTheModelGroupHeaderAndNoDeploymentId()
    {
        var (miss, _) = await EmbedAsync("\"a\"");
        var (hit, _) = await EmbedAsync("\"a\"");

        Assert.NotNull(Header(miss, "x-litellm-model-id"));
        Assert.Equal("gpt", Header(hit, "x-litellm-model-group"));
        Assert.Equal("0", Header(hit, "x-litellm-attempted-retries"));
        Assert.Null(Header(hit, "x-litellm-model-id"));
    }
}

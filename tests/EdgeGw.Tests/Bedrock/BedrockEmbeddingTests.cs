using System.Net;
using System.Text.Json;
using EdgeGw.Tests.Infrastructure;

namespace EdgeGw.Tests.Bedrock;

/// <summary>Titan and Cohere embeddings through InvokeModel, answered in OpenAI's list shape.</summary>
public sealed class BedrockEmbeddingTests : IAsyncLifetime
{
    private FakeUpstream _upstream = null!;

    public async Task InitializeAsync() => _upstream = await FakeUpstream.StartAsync();

    public async Task DisposeAsync() => await _upstream.DisposeAsync();

    private Task<TestGateway> Gateway(string modelId) => TestGateway.StartAsync($"""
        - model_name: emb
          litellm_params:
            model: bedrock/{modelId}
            api_base: {_upstream.Url}
            aws_region_name: us-east-1
            aws_access_key_id: AKIDEXAMPLE
            aws_secret_access_key: secret-example-key
        """);

    [Fact]
    public async Task TitanV2_OneSignedInvokePerInputWithTokenCounts()
    {
        var call = 0;
        _upstream.Handle(async (c, r) =>
        {
            var n = Interlocked.Increment(ref call);
            c.Response.ContentType = "application/json";
            await c.Response.WriteAsync($$"""{"embedding":[{{n}}.5,-0.25],"embeddingsByType":{"float":[{{n}}.5,-0.25]},"inputTextTokenCount":{{n + 2}}}""");
        });
        await using var gateway = await Gateway("amazon.titan-embed-text-v2:0");

        using var response = await gateway.PostJsonAsync("/v1/embeddings", """{"model":"emb","input":["first","second"],"dimensions":256}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("list", body.GetProperty("object").GetString());
        Assert.Equal([1.5f, 2.5f], body.GetProperty("data").EnumerateArray().Select(d => d.GetProperty("embedding")[0].GetSingle()));
        Assert.Equal([0, 1], body.GetProperty("data").EnumerateArray().Select(d => d.GetProperty("index").GetInt32()));
        Assert.Equal(7, body.GetProperty("usage").GetProperty("prompt_tokens").GetInt32());
        var requests = _upstream.Requests.ToList();
        Assert.Equal(2, requests.Count);
        Assert.All(requests, r =>
        {
            Assert.Equal("/model/amazon.titan-embed-text-v2:0/invoke", r.PathAndQuery);
            Assert.StartsWith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/", r.Headers["authorization"], StringComparison.Ordinal);
        });
        Assert.Equal("""{"inputText":"first","dimensions":256}""", requests[0].BodyText);
    }

    [Fact]
    public async Task Cohere_OneCallWithAllTextsAsSearchDocuments()
    {
        _upstream.RespondJson("""{"id":"e1","embeddings":[[0.1,0.2],[0.3,0.4]],"response_type":"embeddings_floats","texts":["a","b"]}""");
        await using var gateway = await Gateway("cohere.embed-english-v3");

        using var response = await gateway.PostJsonAsync("/v1/embeddings", """{"model":"emb","input":["a","b"]}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var data = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("data");
        Assert.Equal(0.3f, data[1].GetProperty("embedding")[0].GetSingle());
        Assert.Equal("""{"texts":["a","b"],"input_type":"search_document"}""", _upstream.LastRequest.BodyText);
    }

    [Fact]
    public async Task ChatModel_EmbeddingsRefusedWith400()
    {
        await using var gateway = await Gateway("anthropic.claude-3-haiku-20240307-v1:0");

        using var response = await gateway.PostJsonAsync("/v1/embeddings", """{"model":"emb","input":"x"}""");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Empty(_upstream.Requests);
    }
}

using System.Net;

namespace EdgeGw.Tests.Vertex;

/// <summary>OpenAI embeddings on Vertex AI's text-embedding models: <c>:predict</c> with <c>instances</c>, usage from Vertex's token counts.</summary>
public sealed class VertexEmbeddingsTests : VertexGatewayTestBase
{
    private static string Prediction(string values, int tokens) =>
        $$$"""{"embeddings":{"statistics":{"truncated":false,"token_count":{{{tokens}}}},"values":[{{{values}}}]}}""";

    [Fact]
    public async Task ListInput_PostsOneInstanceEachAndAnswersAnOpenAiListWithVertexTokenCounts()
    {
        Vertex.RespondJson($$$"""{"predictions":[{{{Prediction("0.25,-0.5", 3)}}},{{{Prediction("0.125,1", 4)}}}],"metadata":{"billableCharacterCount":20}}""");

        using var response = await PostAsync("/v1/embeddings", """{"model":"vembed","input":["hello world","second text"],"dimensions":2,"input_type":"RETRIEVAL_QUERY"}""");
        var body = await JsonAsync(response);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(EmbedPath + ":predict", Vertex.LastRequest.PathAndQuery);
        AssertBearerOnEveryCall();
        var instances = Sent.GetProperty("instances");
        Assert.Equal(["hello world", "second text"], instances.EnumerateArray().Select(i => i.GetProperty("content").GetString()));
        Assert.All(instances.EnumerateArray(), i => Assert.Equal("RETRIEVAL_QUERY", i.GetProperty("task_type").GetString()));
        Assert.Equal(2, Sent.GetProperty("parameters").GetProperty("outputDimensionality").GetInt32());
        Assert.Equal("list", body.GetProperty("object").GetString());
        Assert.Equal([0.25f, -0.5f], body.GetProperty("data")[0].GetProperty("embedding").EnumerateArray().Select(v => v.GetSingle()));
        Assert.Equal(1, body.GetProperty("data")[1].GetProperty("index").GetInt32());
        Assert.Equal(7, body.GetProperty("usage").GetProperty("prompt_tokens").GetInt32());
        Assert.Equal("vembed", body.GetProperty("model").GetString());
    }

    [Fact]
    public async Task StringInputWithoutOptions_SendsOneInstanceAndEmptyParameters()
    {
        Vertex.RespondJson($$"""{"predictions":[{{Prediction("1,0", 2)}}]}""");

        using var response = await PostAsync("/v1/embeddings", """{"model":"vembed","input":"hi"}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("""{"instances":[{"content":"hi"}],"parameters":{}}""", Vertex.LastRequest.BodyText);
    }

    [Fact]
    public async Task TokenIdInput_Is400NamingInput()
    {
        using var response = await PostAsync("/v1/embeddings", """{"model":"vembed","input":[[1,2,3]]}""");
        var error = (await JsonAsync(response)).GetProperty("error");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("input", error.GetProperty("param").GetString());
        Assert.Empty(Vertex.Requests);
    }

    [Fact]
    public async Task VertexError_KeepsItsStatusAndMessage()
    {
        Vertex.RespondJson(VertexWireFixtures.Error(404, "NOT_FOUND", "Publisher Model `text-embedding-005` was not found."), 404);

        using var response = await PostAsync("/v1/embeddings", """{"model":"vembed","input":"hi"}""");
        var error = (await JsonAsync(response)).GetProperty("error");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("was not found", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }
}

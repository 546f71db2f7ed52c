using System.Net;
using System.Text;
using System.Text.Json;
using EdgeGw.Tests.Infrastructure;

namespace EdgeGw.Tests.Fuzz;

/// <summary>Each 500 the fuzz corpus found, kept as a focused case: a 400 naming the field, nothing written.</summary>
public sealed class FuzzFindingsTests
{
    private const string Models = """
        - model_name: mock-gpt
          litellm_params:
            model: mock/mock-gpt
            mock_response: "hello"
        """;

    private static async Task<(HttpStatusCode Status, JsonElement Body)> PostAsync(TestGateway gateway, string path, byte[] body)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        using var response = await gateway.Client.PostAsync(path, content);
        return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone());
    }

    [Theory]
    [InlineData("user", "\"\\udfff\\ud800\"")]
    [InlineData("timeout", "\"\\ud800\"")]
    [InlineData("fallbacks", "[\"\\ud800\"]")]
    [InlineData("mock_response", "\"\\ud800\"")]
    [InlineData("tags", "[\"\\ud800\"]")]
    [InlineData("metadata", "{\"user_id\":\"\\ud800\"}")]
    public async Task LoneSurrogateInRoutingField_400NamingField(string field, string value)
    {
        await using var gateway = await TestGateway.StartAsync(Models);
        var (status, body) = await PostAsync(gateway, "/v1/chat/completions",
            Encoding.UTF8.GetBytes($$"""{"model":"mock-gpt","messages":[{"role":"user","content":"hi"}],"{{field}}":{{value}}}"""));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(field, body.GetProperty("error").GetProperty("param").GetString());
    }

    [Theory]
    [InlineData("encoding_format", """{"model":"mock-gpt","input":"hello","encoding_format":"\ud800"}""")]
    [InlineData("input", """{"model":"mock-gpt","input":"\ud800"}""")]
    [InlineData("input", """{"model":"mock-gpt","input":["ok","\udfff\ud800"]}""")]
    public async Task LoneSurrogateInEmbeddingField_400NamingField(string field, string json)
    {
        await using var gateway = await TestGateway.StartAsync(Models);
        var (status, body) = await PostAsync(gateway, "/v1/embeddings", Encoding.UTF8.GetBytes(json));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(field, body.GetProperty("error").GetProperty("param").GetString());
    }

    [Fact]
    public async Task InvalidUtf8InCountTokensBody_AnswersEstimateNot500()
    {
        await using var gateway = await TestGateway.StartAsync(Models);
        var json = Encoding.UTF8.GetBytes("""{"model":"mock-gpt","system":"sss","messages":[{"role":"user","content":[{"type":"text","text":"hi"}]}]}""");
        json[30] = 0xC3; // inside "sss": a lead byte with no continuation
        var (status, body) = await PostAsync(gateway, "/v1/messages/count_tokens", json);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.True(body.GetProperty("input_tokens").GetInt64() > 0);
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("1")]
    [InlineData("{}")]
    public async Task NonStringToolTypeInChatForAnthropic_400NamingFieldNoUpstreamCall(string type)
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await TestGateway.StartAsync($"""
            - model_name: claude
              litellm_params:
                model: anthropic/claude-sonnet-4-5
                api_base: {upstream.Url}
                api_key: x
            """);
        var json = $$$"""{"model":"claude","messages":[{"role":"user","content":"hi"}],"tools":[{"type":{{{type}}},"function":{"name":"f"}}]}""";
        var (status, body) = await PostAsync(gateway, "/v1/chat/completions", Encoding.UTF8.GetBytes(json));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("tools[0].type", body.GetProperty("error").GetProperty("param").GetString());
        Assert.Empty(upstream.Requests);
    }
}

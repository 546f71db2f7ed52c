using System.Net;
using System.Text.Json;
using EdgeGw.Tests.Infrastructure;

namespace EdgeGw.Tests.Responses;

/// <summary>GET/DELETE /v1/responses/{id}, …/input_items and …/cancel, in OpenAI's shapes, for the key that made the response.</summary>
public sealed class ResponseStoreEndpointTests : IAsyncLifetime
{
    private FakeUpstream _openAi = null!;
    private TestGateway _gateway = null!;

    private const string UpstreamResponse = """
        {"id":"resp_upstream1","object":"response","created_at":1741476542,"status":"completed","model":"gpt-4o-mini","output":[{"type":"message","id":"msg_1","status":"completed","role":"assistant","content":[{"type":"output_text","text":"hi","annotations":[]}]}],"usage":{"input_tokens":5,"output_tokens":1,"total_tokens":6}}
        """;

    public async Task InitializeAsync()
    {
        _openAi = await FakeUpstream.StartAsync();
        _openAi.RespondJson(UpstreamResponse);
        _gateway = await TestGateway.StartAsync($"""
            - model_name: mock-gpt
              litellm_params:
                model: mock/mock-gpt
                mock_response: "Hello from mock"
            - model_name: gpt
              litellm_params:
                model: openai/gpt-4o-mini
                api_base: {_openAi.Url}
                api_key: sk-openai-upstream
            """);
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _openAi.DisposeAsync();
    }

    private async Task<(HttpStatusCode Status, JsonElement Body)> SendAsync(HttpMethod method, string path, string? body = null, string? key = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
            request.Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        if (key is not null)
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
        using var response = await _gateway.Client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, JsonDocument.Parse(text).RootElement.Clone());
    }

    private async Task<string> CreateAsync(string input, string? key = null)
    {
        var (status, body) = await SendAsync(HttpMethod.Post, "/v1/responses", $$"""{"model":"mock-gpt","input":{{input}}}""", key);
        Assert.Equal(HttpStatusCode.OK, status);
        return body.GetProperty("id").GetString()!;
    }

    [Fact]
    public async Task GetStoredResponse_ReturnsTheResponseObjectAsAnswered()
    {
        var (_, created) = await SendAsync(HttpMethod.Post, "/v1/responses", """{"model":"mock-gpt","input":"hi"}""");
        var id = created.GetProperty("id").GetString();

        var (status, stored) = await SendAsync(HttpMethod.Get, $"/v1/responses/{id}");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(created.GetRawText(), stored.GetRawText());
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Get, $"/responses/{id}")).Status);
    }

    [Fact]
    public async Task DeleteStoredResponse_DeletedShapeThen404()
    {
        var id = await CreateAsync("\"hi\"");

        var (status, deleted) = await SendAsync(HttpMethod.Delete, $"/v1/responses/{id}");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal($$"""{"id":"{{id}}","object":"response","deleted":true}""", deleted.GetRawText());
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(HttpMethod.Get, $"/v1/responses/{id}")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(HttpMethod.Delete, $"/v1/responses/{id}")).Status);
    }

    [Fact]
    public async Task InputItems_ListShapeNewestFirstWithIds()
    {
        var id = await CreateAsync("""[{"role":"user","content":"one"},{"type":"message","role":"user","content":[{"type":"input_text","text":"two"}]}]""");

        var (status, list) = await SendAsync(HttpMethod.Get, $"/v1/responses/{id}/input_items");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("list", list.GetProperty("object").GetString());
        var data = list.GetProperty("data").EnumerateArray().ToList();
        Assert.Equal(2, data.Count);
        Assert.Equal("two", data[0].GetProperty("content")[0].GetProperty("text").GetString());
        Assert.Equal("input_text", data[1].GetProperty("content")[0].GetProperty("type").GetString());
        Assert.Equal("one", data[1].GetProperty("content")[0].GetProperty("text").GetString());
        Assert.All(data, item => Assert.StartsWith("msg_", item.GetProperty("id").GetString(), StringComparison.Ordinal));
        Assert.Equal(data[0].GetProperty("id").GetString(), list.GetProperty("first_id").GetString());
        Assert.Equal(data[1].GetProperty("id").GetString(), list.GetProperty("last_id").GetString());
        Assert.False(list.GetProperty("has_more").GetBoolean());
    }

    [Fact]
    public async Task InputItemsPaged_LimitOrderAfterWalkTheList()
    {
        var id = await CreateAsync("""[{"role":"user","content":"a"},{"role":"user","content":"b"},{"role":"user","content":"c"}]""");

        var (_, first) = await SendAsync(HttpMethod.Get, $"/v1/responses/{id}/input_items?limit=2&order=asc");
        var (_, rest) = await SendAsync(HttpMethod.Get, $"/v1/responses/{id}/input_items?limit=2&order=asc&after={first.GetProperty("last_id").GetString()}");

        Assert.True(first.GetProperty("has_more").GetBoolean());
        Assert.Equal(["a", "b"], first.GetProperty("data").EnumerateArray().Select(i => i.GetProperty("content")[0].GetProperty("text").GetString()));
        Assert.False(rest.GetProperty("has_more").GetBoolean());
        Assert.Equal(["c"], rest.GetProperty("data").EnumerateArray().Select(i => i.GetProperty("content")[0].GetProperty("text").GetString()));
        var (status, error) = await SendAsync(HttpMethod.Get, $"/v1/responses/{id}/input_items?limit=0");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("limit", error.GetProperty("error").GetProperty("param").GetString());
    }

    [Fact]
    public async Task CancelBridgedResponse_400AsForASynchronousResponse()
    {
        var id = await CreateAsync("\"hi\"");

        var (status, error) = await SendAsync(HttpMethod.Post, $"/v1/responses/{id}/cancel", "{}");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("synchronous", error.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnotherKey_404ButSameTeamAndMasterSeeIt()
    {
        await _gateway.PostAdminAsync("/team/new", """{"team_id":"t-resp"}""");
        var owner = await _gateway.NewKeyAsync("""{"team_id":"t-resp"}""");
        var teammate = await _gateway.NewKeyAsync("""{"team_id":"t-resp"}""");
        var stranger = await _gateway.NewKeyAsync();
        var id = await CreateAsync("\"secret\"", owner);

        var (status, error) = await SendAsync(HttpMethod.Get, $"/v1/responses/{id}", key: stranger);

        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal("invalid_request_error", error.GetProperty("error").GetProperty("type").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(HttpMethod.Delete, $"/v1/responses/{id}", key: stranger)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(HttpMethod.Get, $"/v1/responses/{id}/input_items", key: stranger)).Status);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Get, $"/v1/responses/{id}", key: teammate)).Status);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Get, $"/v1/responses/{id}", key: owner)).Status);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Get, $"/v1/responses/{id}")).Status);
    }

    [Fact]
    public async Task WrongMethod_405WithAllow()
    {
        using var response = await _gateway.Client.PutAsync("/v1/responses/resp_x", new StringContent("{}"));

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal("GET, DELETE", string.Join(", ", response.Content.Headers.Allow));
    }

    [Fact]
    public async Task PassThroughResponse_GetAndDeleteForwardedToItsDeployment()
    {
        var (status, created) = await SendAsync(HttpMethod.Post, "/v1/responses", """{"model":"gpt","input":"hi"}""");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("resp_upstream1", created.GetProperty("id").GetString());

        var (getStatus, fetched) = await SendAsync(HttpMethod.Get, "/v1/responses/resp_upstream1/input_items?limit=5");
        Assert.Equal(HttpStatusCode.OK, getStatus);
        Assert.Equal("GET", _openAi.LastRequest.Method);
        Assert.Equal("/responses/resp_upstream1/input_items?limit=5", _openAi.LastRequest.PathAndQuery);
        Assert.Equal("Bearer sk-openai-upstream", _openAi.LastRequest.Headers["authorization"]);
        Assert.Equal("resp_upstream1", fetched.GetProperty("id").GetString());

        _openAi.RespondJson("""{"id":"resp_upstream1","object":"response","deleted":true}""");
        var (deleteStatus, _) = await SendAsync(HttpMethod.Delete, "/v1/responses/resp_upstream1");
        Assert.Equal(HttpStatusCode.OK, deleteStatus);
        Assert.Equal("DELETE", _openAi.LastRequest.Method);
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(HttpMethod.Get, "/v1/responses/resp_upstream1")).Status);
    }
}

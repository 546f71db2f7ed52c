using System.Net;
using System.Text.Json;
using EdgeGw.Tests.Infrastructure;

namespace EdgeGw.Tests.Responses;

/// <summary>
/// <c>previous_response_id</c> on a bridged provider (anthropic/): EdgeGw stores each turn and
/// replays the conversation upstream, as OpenAI would have kept it.
/// </summary>
public sealed class ResponseStoreConversationTests : IAsyncLifetime
{
    private FakeUpstream _anthropic = null!;
    private TestGateway _gateway = null!;
    private readonly Queue<string> _answers = new();

    private const string Tools = """[{"type":"function","name":"get_weather","description":"Weather in a city","parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}]""";

    private const string ToolUse = """
        {"id":"msg_01","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[{"type":"tool_use","id":"toolu_01","name":"get_weather","input":{"city":"Paris"}}],"stop_reason":"tool_use","stop_sequence":null,"usage":{"input_tokens":20,"output_tokens":10}}
        """;

    private static string Text(string text) => $$$"""
        {"id":"msg_02","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[{"type":"text","text":"{{{text}}}"}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":30,"output_tokens":5}}
        """;

    public async Task InitializeAsync()
    {
        _anthropic = await FakeUpstream.StartAsync();
        _anthropic.Handle(async (c, _) =>
        {
            string answer;
            lock (_answers)
                answer = _answers.Dequeue();
            c.Response.ContentType = "application/json";
            await c.Response.WriteAsync(answer);
        });
        _gateway = await TestGateway.StartAsync($"""
            - model_name: claude
              litellm_params:
                model: anthropic/claude-sonnet-4-5
                api_base: {_anthropic.Url}
                api_key: sk-ant-upstream
            - model_name: mock-gpt
              litellm_params:
                model: mock/mock-gpt
                mock_response: "Hello from mock"
            """, "router_settings:\n  num_retries: 0\n");
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _anthropic.DisposeAsync();
    }

    private void Answer(string json)
    {
        lock (_answers)
            _answers.Enqueue(json);
    }

    private async Task<JsonElement> PostAsync(string json, HttpStatusCode expected = HttpStatusCode.OK, string? key = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/responses") { Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json") };
        if (key is not null)
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
        using var response = await _gateway.Client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"expected {(int)expected}, got {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private static string Roles(JsonElement upstreamBody) => string.Join(",", upstreamBody.GetProperty("messages").EnumerateArray().Select(m =>
        m.GetProperty("role").GetString() + ":" + string.Join("+", m.GetProperty("content").ValueKind == JsonValueKind.String
            ? ["text"]
            : m.GetProperty("content").EnumerateArray().Select(b => b.GetProperty("type").GetString()))));

    private static string? TextOf(JsonElement message) => message.GetProperty("content") is { ValueKind: JsonValueKind.String } text
        ? text.GetString()
        : string.Concat(message.GetProperty("content").EnumerateArray().Where(b => b.GetProperty("type").GetString() == "text").Select(b => b.GetProperty("text").GetString()));

    [Fact]
    public async Task ThreeTurnsWithAToolRoundTrip_EachUpstreamCallCarriesTheWholeConversation()
    {
        Answer(ToolUse);
        var first = await PostAsync($$"""{"model":"claude","instructions":"Be brief.","input":"What's the weather in Paris?","tools":{{Tools}}}""");
        var call = first.GetProperty("output").EnumerateArray().Single(i => i.GetProperty("type").GetString() == "function_call");
        Assert.Equal("toolu_01", call.GetProperty("call_id").GetString());

        Answer(Text("Sunny in Paris."));
        var second = await PostAsync($$"""
            {"model":"claude","previous_response_id":"{{first.GetProperty("id").GetString()}}","tools":{{Tools}},
             "input":[{"type":"function_call_output","call_id":"toolu_01","output":"{\"sky\":\"sunny\"}"}]}
            """);
        using (var upstream = _anthropic.LastRequest.Json())
        {
            Assert.Equal("user:text,assistant:tool_use,user:tool_result", Roles(upstream.RootElement));
            var messages = upstream.RootElement.GetProperty("messages");
            Assert.Equal("What's the weather in Paris?", TextOf(messages[0]));
            Assert.Equal("toolu_01", messages[1].GetProperty("content")[0].GetProperty("id").GetString());
            Assert.Equal("toolu_01", messages[2].GetProperty("content")[0].GetProperty("tool_use_id").GetString());
            // instructions belong to their own turn, as on OpenAI: not carried over.
            Assert.False(upstream.RootElement.TryGetProperty("system", out _));
        }

        Answer(Text("You're welcome."));
        await PostAsync($$"""{"model":"claude","previous_response_id":"{{second.GetProperty("id").GetString()}}","input":"Thanks!"}""");
        using var third = _anthropic.LastRequest.Json();
        Assert.Equal("user:text,assistant:tool_use,user:tool_result,assistant:text,user:text", Roles(third.RootElement));
        Assert.Equal("Sunny in Paris.", TextOf(third.RootElement.GetProperty("messages")[3]));
    }

    [Fact]
    public async Task UnknownPreviousResponseId_400NamingIt()
    {
        var error = (await PostAsync("""{"model":"claude","previous_response_id":"resp_nope","input":"hi"}""", HttpStatusCode.BadRequest)).GetProperty("error");

        Assert.Equal("previous_response_not_found", error.GetProperty("code").GetString());
        Assert.Equal("previous_response_id", error.GetProperty("param").GetString());
        Assert.Contains("resp_nope", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Empty(_anthropic.Requests);
    }

    [Fact]
    public async Task StoreFalse_TurnNotKept()
    {
        var first = await PostAsync("""{"model":"mock-gpt","input":"hi","store":false}""");

        using var response = await _gateway.Client.GetAsync($"/v1/responses/{first.GetProperty("id").GetString()}");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task AnotherKeysPreviousResponseId_NotFound()
    {
        var owner = await _gateway.NewKeyAsync();
        var other = await _gateway.NewKeyAsync();
        var first = await PostAsync("""{"model":"mock-gpt","input":"hi"}""", key: owner);

        var error = (await PostAsync($$"""{"model":"mock-gpt","previous_response_id":"{{first.GetProperty("id").GetString()}}","input":"again"}""",
            HttpStatusCode.BadRequest, key: other)).GetProperty("error");

        Assert.Equal("previous_response_not_found", error.GetProperty("code").GetString());
        await PostAsync($$"""{"model":"mock-gpt","previous_response_id":"{{first.GetProperty("id").GetString()}}","input":"again"}""", key: owner);
    }

    [Fact]
    public async Task StreamedTurn_StoredAndReplayed()
    {
        using var stream = await _gateway.PostStreamAsync("/v1/responses", """{"model":"mock-gpt","input":"first question","stream":true}""");
        var body = await stream.Content.ReadAsStringAsync();
        var created = body.Split('\n').First(l => l.StartsWith("data: ", StringComparison.Ordinal) && l.Contains("response.created", StringComparison.Ordinal));
        var id = JsonDocument.Parse(created["data: ".Length..]).RootElement.GetProperty("response").GetProperty("id").GetString();

        using var stored = await _gateway.Client.GetAsync($"/v1/responses/{id}");
        var response = JsonDocument.Parse(await stored.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(HttpStatusCode.OK, stored.StatusCode);
        Assert.Equal("completed", response.GetProperty("status").GetString());
        Assert.Contains("Hello from mock", response.GetProperty("output").GetRawText(), StringComparison.Ordinal);
    }
}

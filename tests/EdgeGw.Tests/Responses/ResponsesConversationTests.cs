using System.Net;
using System.Text.Json;
using EdgeGw.Tests.Infrastructure;

namespace EdgeGw.Tests.Responses;

/// <summary>previous_response_id on a bridged provider: EdgeGw stores the turns and replays them upstream.</summary>
public sealed class ResponsesConversationTests : IAsyncLifetime
{
    private FakeUpstream _anthropic = null!;
    private TestGateway _gateway = null!;

    public async Task InitializeAsync()
    {
        _anthropic = await FakeUpstream.StartAsync();
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

    private async Task<JsonElement> PostAsync(string json, HttpStatusCode expected = HttpStatusCode.OK)
    {
        using var response = await _gateway.PostJsonAsync("/v1/responses", json);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"{(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    [Fact]
    public async Task ToolRoundTripWithPreviousResponseId_UpstreamGetsWholeConversation()
    {
        _anthropic.RespondJson("""
            {"id":"msg_1","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[{"type":"text","text":"Let me look."},{"type":"tool_use","id":"toolu_7","name":"get_weather","input":{"city":"Oslo"}}],"stop_reason":"tool_use","stop_sequence":null,"usage":{"input_tokens":20,"output_tokens":10}}
            """);
        var first = await PostAsync("""{"model":"claude","instructions":"Be brief.","input":"Weather in Oslo?","tools":[{"type":"function","name":"get_weather","parameters":{"type":"object"}}]}""");
        var call = first.GetProperty("output").EnumerateArray().Single(i => i.GetProperty("type").GetString() == "function_call");

        _anthropic.RespondJson("""
            {"id":"msg_2","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[{"type":"text","text":"It is 12 degrees."}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":40,"output_tokens":6}}
            """);
        var second = await PostAsync($$$"""
            {"model":"claude","previous_response_id":"{{{first.GetProperty("id").GetString()}}}","tools":[{"type":"function","name":"get_weather","parameters":{"type":"object"}}],
             "input":[{"type":"function_call_output","call_id":"{{{call.GetProperty("call_id").GetString()}}}","output":"12 degrees"}]}
            """);

        Assert.Equal(first.GetProperty("id").GetString(), second.GetProperty("previous_response_id").GetString());
        using var sent = _anthropic.LastRequest.Json();
        var messages = sent.RootElement.GetProperty("messages");
        Assert.Equal(3, messages.GetArrayLength());
        Assert.Contains("Weather in Oslo?", messages[0].GetProperty("content").ToString(), StringComparison.Ordinal);
        var assistant = messages[1].GetProperty("content").EnumerateArray().ToList();
        Assert.Contains(assistant, b => b.GetProperty("type").GetString() == "text" && b.GetProperty("text").GetString() == "Let me look.");
        Assert.Contains(assistant, b => b.GetProperty("type").GetString() == "tool_use" && b.GetProperty("id").GetString() == "toolu_7");
        var result = messages[2].GetProperty("content").EnumerateArray().Single(b => b.GetProperty("type").GetString() == "tool_result");
        Assert.Equal("toolu_7", result.GetProperty("tool_use_id").GetString());
        // Instructions are not carried over (as OpenAI): the second turn sent none.
        Assert.False(sent.RootElement.TryGetProperty("system", out var system) && system.ToString().Contains("Be brief.", StringComparison.Ordinal));
    }

    [Fact]
    public async Task StreamedTurnThenFollowUp_ReplaysStreamedAnswer()
    {
        using (var streamed = await _gateway.PostStreamAsync("/v1/responses", """{"model":"mock-gpt","input":"Hi","stream":true}"""))
        {
            var events = Sse.Parse(await streamed.Content.ReadAsStringAsync());
            var id = events[^1].Json.GetProperty("response").GetProperty("id").GetString();
            _anthropic.RespondJson("""
                {"id":"msg_3","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[{"type":"text","text":"ok"}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":9,"output_tokens":1}}
                """);
            await PostAsync($$"""{"model":"claude","previous_response_id":"{{id}}","input":"And again?"}""");
        }

        using var sent = _anthropic.LastRequest.Json();
        var messages = sent.RootElement.GetProperty("messages");
        Assert.Equal(3, messages.GetArrayLength());
        Assert.Contains("Hello from mock", messages[1].GetProperty("content").ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task StoreFalse_FollowUpIsNotFound()
    {
        var first = await PostAsync("""{"model":"mock-gpt","input":"Hi","store":false}""");

        var error = (await PostAsync($$"""{"model":"mock-gpt","previous_response_id":"{{first.GetProperty("id").GetString()}}","input":"again"}""", HttpStatusCode.BadRequest))
            .GetProperty("error");

        Assert.Equal("previous_response_id", error.GetProperty("param").GetString());
        Assert.Contains("not found", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }
}

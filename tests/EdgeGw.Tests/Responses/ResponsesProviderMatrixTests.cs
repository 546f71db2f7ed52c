using System.Net;
using System.Text.Json;
using EdgeGw.Tests.Infrastructure;

namespace EdgeGw.Tests.Responses;

/// <summary>
/// /v1/responses tool calls and streams on the bridged providers the other files leave out: Gemini,
/// Ollama and an OpenAI-compatible server without a Responses endpoint (hosted_vllm/, bridged through chat).
/// </summary>
public sealed class ResponsesProviderMatrixTests : IAsyncLifetime
{
    private const string Tools = """[{"type":"function","name":"get_weather","parameters":{"type":"object","properties":{"city":{"type":"string"}}}}]""";

    private FakeUpstream _gemini = null!;
    private FakeUpstream _ollama = null!;
    private FakeUpstream _vllm = null!;
    private TestGateway _gateway = null!;

    public async Task InitializeAsync()
    {
        _gemini = await FakeUpstream.StartAsync();
        _ollama = await FakeUpstream.StartAsync();
        _vllm = await FakeUpstream.StartAsync();
        _gateway = await TestGateway.StartAsync($"""
            - model_name: gem
              litellm_params:
                model: gemini/gemini-2.5-flash
                api_base: {_gemini.Url}
                api_key: AIza-upstream
            - model_name: llama
              litellm_params:
                model: ollama_chat/llama3
                api_base: {_ollama.Url}
            - model_name: vllm
              litellm_params:
                model: hosted_vllm/qwen
                api_base: {_vllm.Url}/v1
            """, "router_settings:\n  num_retries: 0\n");
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _gemini.DisposeAsync();
        await _ollama.DisposeAsync();
        await _vllm.DisposeAsync();
    }

    private async Task<JsonElement> PostAsync(string json)
    {
        using var response = await _gateway.PostStreamAsync("/v1/responses", json);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    private async Task<IReadOnlyList<Sse.Event>> StreamAsync(string json)
    {
        using var response = await _gateway.PostStreamAsync("/v1/responses", json);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        var events = Sse.Parse(body);
        Assert.Equal(Enumerable.Range(0, events.Count), events.Select(e => e.Json.GetProperty("sequence_number").GetInt32()));
        return events;
    }

    private static JsonElement FunctionCall(JsonElement response) =>
        response.GetProperty("output").EnumerateArray().Single(i => i.GetProperty("type").GetString() == "function_call");

    [Fact]
    public async Task GeminiFunctionCall_IsFunctionCallOutputItem()
    {
        _gemini.RespondJson("""
            {"candidates":[{"content":{"role":"model","parts":[{"functionCall":{"name":"get_weather","args":{"city":"Oslo"}}}]},"finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":9,"candidatesTokenCount":4,"totalTokenCount":13},"modelVersion":"gemini-2.5-flash"}
            """);

        var response = await PostAsync($$"""{"model":"gem","input":"Weather in Oslo?","tools":{{Tools}}}""");

        var call = FunctionCall(response);
        Assert.Equal("get_weather", call.GetProperty("name").GetString());
        Assert.Equal("Oslo", JsonDocument.Parse(call.GetProperty("arguments").GetString()!).RootElement.GetProperty("city").GetString());
        Assert.False(string.IsNullOrEmpty(call.GetProperty("call_id").GetString()));
        Assert.Contains("functionDeclarations", _gemini.LastRequest.BodyText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GeminiStreamedFunctionCall_ArgumentsDoneAndCompletedCarryTheCall()
    {
        _gemini.RespondStream(
        [
            "data: {\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":[{\"functionCall\":{\"name\":\"get_weather\",\"args\":{\"city\":\"Oslo\"}}}]},\"finishReason\":\"STOP\",\"index\":0}],\"usageMetadata\":{\"promptTokenCount\":9,\"candidatesTokenCount\":4,\"totalTokenCount\":13}}\r\n\r\n",
        ]);

        var events = await StreamAsync($$"""{"model":"gem","input":"Weather in Oslo?","tools":{{Tools}},"stream":true}""");

        var done = events.Single(e => e.Name == "response.function_call_arguments.done");
        Assert.Equal("Oslo", JsonDocument.Parse(done.Json.GetProperty("arguments").GetString()!).RootElement.GetProperty("city").GetString());
        Assert.Equal("response.completed", events[^1].Name);
        Assert.Equal("get_weather", FunctionCall(events[^1].Json.GetProperty("response")).GetProperty("name").GetString());
    }

    [Fact]
    public async Task OllamaStream_TextDeltasThenCompletedWithUsage()
    {
        _ollama.RespondStream(
        [
            "{\"model\":\"llama3\",\"created_at\":\"2025-01-01T00:00:00Z\",\"message\":{\"role\":\"assistant\",\"content\":\"Hel\"},\"done\":false}\n",
            "{\"model\":\"llama3\",\"created_at\":\"2025-01-01T00:00:00Z\",\"message\":{\"role\":\"assistant\",\"content\":\"lo\"},\"done\":false}\n",
            "{\"model\":\"llama3\",\"created_at\":\"2025-01-01T00:00:00Z\",\"message\":{\"role\":\"assistant\",\"content\":\"\"},\"done\":true,\"done_reason\":\"stop\",\"prompt_eval_count\":6,\"eval_count\":2}\n",
        ], contentType: "application/x-ndjson");

        var events = await StreamAsync("""{"model":"llama","input":"Hi","stream":true}""");

        Assert.Equal("Hello", string.Concat(events.Where(e => e.Name == "response.output_text.delta").Select(e => e.Json.GetProperty("delta").GetString())));
        Assert.Equal("Hello", events.Single(e => e.Name == "response.output_text.done").Json.GetProperty("text").GetString());
        var usage = events[^1].Json.GetProperty("response").GetProperty("usage");
        Assert.Equal("response.completed", events[^1].Name);
        Assert.Equal(6, usage.GetProperty("input_tokens").GetInt32());
        Assert.Equal(2, usage.GetProperty("output_tokens").GetInt32());
    }

    [Fact]
    public async Task OllamaToolCall_IsFunctionCallOutputItem()
    {
        _ollama.RespondJson("""
            {"model":"llama3","created_at":"2025-01-01T00:00:00Z","message":{"role":"assistant","content":"","tool_calls":[{"function":{"name":"get_weather","arguments":{"city":"Oslo"}}}]},"done":true,"done_reason":"stop","prompt_eval_count":6,"eval_count":2}
            """);

        var response = await PostAsync($$"""{"model":"llama","input":"Weather in Oslo?","tools":{{Tools}}}""");

        var call = FunctionCall(response);
        Assert.Equal("get_weather", call.GetProperty("name").GetString());
        Assert.Equal("Oslo", JsonDocument.Parse(call.GetProperty("arguments").GetString()!).RootElement.GetProperty("city").GetString());
    }

    [Fact]
    public async Task OpenAiCompatibleWithoutResponses_BridgedThroughChatCompletions()
    {
        _vllm.RespondJson("""
            {"id":"c1","object":"chat.completion","created":1,"model":"qwen","choices":[{"index":0,"message":{"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Oslo\"}"}}]},"finish_reason":"tool_calls"}],"usage":{"prompt_tokens":9,"completion_tokens":4,"total_tokens":13}}
            """);

        var response = await PostAsync($$"""{"model":"vllm","input":"Weather in Oslo?","instructions":"Be brief.","tools":{{Tools}}}""");

        Assert.Equal("/v1/chat/completions", _vllm.LastRequest.PathAndQuery);
        var sent = JsonDocument.Parse(_vllm.LastRequest.Body).RootElement;
        Assert.Equal("system", sent.GetProperty("messages")[0].GetProperty("role").GetString());
        Assert.Equal("get_weather", sent.GetProperty("tools")[0].GetProperty("function").GetProperty("name").GetString());
        var call = FunctionCall(response);
        Assert.Equal("call_1", call.GetProperty("call_id").GetString());
        Assert.Equal(9, response.GetProperty("usage").GetProperty("input_tokens").GetInt32());
    }

    [Fact]
    public async Task OpenAiCompatibleStream_TextDeltasThenCompleted()
    {
        _vllm.RespondStream(
        [
            "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"qwen\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"Hi \"},\"finish_reason\":null}]}\n\n",
            "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"qwen\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"there\"},\"finish_reason\":\"stop\"}]}\n\n",
            "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"qwen\",\"choices\":[],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":2,\"total_tokens\":7}}\n\n",
            "data: [DONE]\n\n",
        ]);

        var events = await StreamAsync("""{"model":"vllm","input":"Hi","stream":true}""");

        Assert.Equal("Hi there", events.Single(e => e.Name == "response.output_text.done").Json.GetProperty("text").GetString());
        Assert.Equal("response.completed", events[^1].Name);
        Assert.Equal(7, events[^1].Json.GetProperty("response").GetProperty("usage").GetProperty("total_tokens").GetInt32());
    }
}

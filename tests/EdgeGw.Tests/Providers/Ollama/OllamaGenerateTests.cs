using System.Net;
using EdgeGw.Config;
using EdgeGw.Providers;
using EdgeGw.Tests.Infrastructure;
using static EdgeGw.Tests.Providers.Ollama.OllamaWireFixtures;

namespace EdgeGw.Tests.Providers.Ollama;

/// <summary>
/// <c>ollama/</c>: the Docker tutorial's entry (<c>model: ollama/llama3.3:8b</c>,
/// <c>api_base: http://host.docker.internal:11434</c>) served by Ollama's <c>/api/generate</c>.
/// </summary>
public sealed class OllamaGenerateTests : OllamaTestBase
{
    [Fact]
    public void TutorialEntryLiteral_LoadsWithHostRootApiBase()
    {
        var config = ConfigLoader.Parse("""
            model_list:
              - model_name: llama-local
                litellm_params:
                  model: ollama/llama3.3:8b
                  api_base: http://host.docker.internal:11434
            general_settings:
              master_key: sk-m
            """, _ => null);

        var deployment = Assert.Single(config.Deployments);
        Assert.Equal(ProviderKind.Ollama, ProviderCatalog.Find(deployment.Provider)!.Kind);
        Assert.Equal("llama3.3:8b", deployment.ModelId);
        Assert.Equal("http://host.docker.internal:11434", deployment.ApiBase);
        Assert.Null(deployment.ApiKey);
        Assert.DoesNotContain(config.Warnings, w => w.Contains("ollama", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task TutorialEntry_PostsLiteLlmPromptToApiGenerate()
    {
        Upstream.RespondJson(GenerateResponse);

        using var response = await ChatAsync("""
            {"model":"llama-local","max_tokens":5,"messages":[
              {"role":"system","content":"Be brief."},
              {"role":"user","content":"Why is the sky blue?"},
              {"role":"assistant","content":"Rayleigh."},
              {"role":"user","content":[{"type":"text","text":"More?"},{"type":"image_url","image_url":{"url":"data:image/jpeg;base64,/9j/4AAQ"}}]}]}
            """);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("/api/generate", Upstream.LastRequest.PathAndQuery);
        Assert.Equal("llama3.3:8b", Sent.GetProperty("model").GetString());
        Assert.Equal("### System:\nBe brief.\n\n### User:\nWhy is the sky blue?\n\n### Assistant:\nRayleigh.\n\n### User:\nMore?\n\n",
            Sent.GetProperty("prompt").GetString());
        Assert.Equal("/9j/4AAQ", Sent.GetProperty("images")[0].GetString());
        Assert.Equal(5, Sent.GetProperty("options").GetProperty("num_predict").GetInt32());
        Assert.False(Sent.TryGetProperty("messages", out _));

        var body = await JsonAsync(response);
        Assert.Equal("The sky is blue.", Message(body).GetProperty("content").GetString());
        Assert.Equal("length", body.GetProperty("choices")[0].GetProperty("finish_reason").GetString());
        Assert.Equal(12, body.GetProperty("usage").GetProperty("prompt_tokens").GetInt32());
        Assert.Equal(5, body.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
        Assert.Equal("llama-local", body.GetProperty("model").GetString());
    }

    [Fact]
    public async Task TutorialEntry_StreamsGenerateResponses()
    {
        RespondNdjson(GenerateLine("The"), GenerateLine(" sky"), GenerateDone());

        var body = await StreamAsync("""{"model":"llama-local","messages":[{"role":"user","content":"hi"}],"stream":true,"stream_options":{"include_usage":true}}""");

        Assert.True(Sent.GetProperty("stream").GetBoolean());
        Assert.Equal("The sky", Sse.Text(body));
        var chunks = Sse.Chunks(body);
        Assert.Equal("stop", chunks[^2].GetProperty("choices")[0].GetProperty("finish_reason").GetString());
        Assert.Equal(12, chunks[^1].GetProperty("usage").GetProperty("prompt_tokens").GetInt32());
        Assert.Equal(4, chunks[^1].GetProperty("usage").GetProperty("completion_tokens").GetInt32());
    }

    [Fact]
    public async Task GenerateMidStreamError_ClientGetsErrorEvent()
    {
        RespondNdjson(GenerateLine(" Yes"), GenerateLine("."), """{"error":"an error was encountered while running the model"}""" + "\n");

        var body = await StreamAsync("""{"model":"llama-local","messages":[{"role":"user","content":"hi"}],"stream":true}""");

        Assert.Equal(" Yes.", Sse.Text(body));
        Assert.Equal("an error was encountered while running the model",
            Sse.Parse(body)[^1].Json.GetProperty("error").GetProperty("message").GetString());
    }

    [Fact]
    public async Task ToolsOnGenerate_400SuggestsOllamaChat()
    {
        using var response = await ChatAsync("""{"model":"llama-local","messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function","function":{"name":"f"}}]}""");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("ollama_chat/", (await JsonAsync(response)).GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
    }
    [Fact]
    public async Task EscapedTextInParts_ReachesPromptAsTheClientMeantIt()
    {
        Upstream.RespondJson(GenerateResponse);

        using var response = await ChatAsync("""
            {"model":"llama-local","messages":[
              {"role":"user","content":[{"type":"text","text":"say \"caf\u00e9\"\n"},{"type":"text","text":"\ud83d\ude00 \\ done"}]},
              {"role":"assistant","content":"","tool_calls":[{"id":"c1","type":"function","function":{"name":"f","arguments":"{\"q\":\"\u00e9\"}"}}]}]}
            """);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var prompt = Sent.GetProperty("prompt").GetString()!;
        Assert.StartsWith("### User:\nsay \"café\"\n😀 \\ done\n\n### Assistant:\nTool Calls: [", prompt, StringComparison.Ordinal);
        var calls = System.Text.Json.JsonDocument.Parse(prompt["### User:\nsay \"café\"\n😀 \\ done\n\n### Assistant:\nTool Calls: ".Length..^2]).RootElement;
        Assert.Equal("é", calls[0].GetProperty("function").GetProperty("arguments").GetProperty("q").GetString());
    }
}

/// <summary><c>api_base</c> written for the OpenAI-compatible endpoint, and a key for Ollama behind a proxy.</summary>
public sealed class OllamaApiBaseTests : OllamaTestBase
{
    protected override string ChatApiBaseSuffix => "/v1/";
    protected override string ChatExtraParams => "\n    api_key: ollama-cloud-key-123";

    [Fact]
    public async Task ApiBaseWithV1AndKey_PostsToRootWithBearer()
    {
        Upstream.RespondJson(ChatResponse);

        using var response = await ChatAsync("""{"model":"llama-chat","messages":[{"role":"user","content":"hi"}]}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("/api/chat", Upstream.LastRequest.PathAndQuery);
        Assert.Equal("Bearer ollama-cloud-key-123", Upstream.LastRequest.Headers["authorization"]);
    }
}

/// <summary>LiteLLM's documented Ollama entry: <c>keep_alive</c> and Ollama options in <c>litellm_params</c>.</summary>
public sealed class OllamaDeploymentParamsTests : OllamaTestBase
{
    protected override string ChatExtraParams => "\n    keep_alive: \"8m\"\n    num_ctx: 4096\n    repeat_penalty: 1.1";

    [Fact]
    public void OllamaParamsInLitellmParams_AreNotReportedAsIgnored()
    {
        var config = ConfigLoader.Parse("""
            model_list:
              - model_name: "llama3.1"
                litellm_params:
                  model: "ollama_chat/llama3.1"
                  keep_alive: "8m"
                  num_ctx: 8192
            general_settings:
              master_key: sk-m
            """, _ => null);

        Assert.DoesNotContain("model_list[].litellm_params.keep_alive", config.IgnoredKeys);
        Assert.DoesNotContain("model_list[].litellm_params.num_ctx", config.IgnoredKeys);
    }

    [Fact]
    public async Task DeploymentParams_AreRequestDefaultsTheRequestOverrides()
    {
        Upstream.RespondJson(ChatResponse);

        using var first = await ChatAsync("""{"model":"llama-chat","messages":[{"role":"user","content":"hi"}]}""");
        var defaults = Sent;
        using var second = await ChatAsync("""{"model":"llama-chat","messages":[{"role":"user","content":"hi"}],"num_ctx":1024,"keep_alive":-1}""");
        var overridden = Sent;

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal("8m", defaults.GetProperty("keep_alive").GetString());
        Assert.Equal(4096, defaults.GetProperty("options").GetProperty("num_ctx").GetInt32());
        Assert.Equal(1.1, defaults.GetProperty("options").GetProperty("repeat_penalty").GetDouble());
        Assert.Equal(-1, overridden.GetProperty("keep_alive").GetInt32());
        Assert.Equal(1024, overridden.GetProperty("options").EnumerateObject().Last(o => o.Name == "num_ctx").Value.GetInt32());
    }
}

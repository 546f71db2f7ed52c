using System.Text;
using EdgeGw.Tests.Infrastructure;

namespace EdgeGw.Tests.Observability;

/// <summary>The gateway's stage spans and the attributes of its GenAI attempt spans, as a collector receives them.</summary>
[Collection(nameof(OtelTraceTests))]
public sealed class OtelSpanTests
{
    private const string ProviderKey = "sk-upstream"; // OpenAiDeploymentYaml's api_key

    private static readonly string[] StreamAnswer =
    [
        "data: {\"id\":\"s1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4o-2024-11-20\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"hel\"},\"finish_reason\":null}]}\n\n",
        "data: {\"id\":\"s1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4o-2024-11-20\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"length\"}]}\n\n",
        "data: {\"id\":\"s1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4o-2024-11-20\",\"choices\":[],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":2,\"total_tokens\":7}}\n\n",
        "data: [DONE]\n\n",
    ];

    private static async Task<List<OtlpSpan>> ChatSpansAsync(FakeUpstream upstream, string body, bool stream = false)
    {
        await using var collector = await FakeUpstream.StartAsync();
        collector.RespondJson("{}");
        return await OtelTraceTests.SpansAfterAsync(collector, async gateway =>
        {
            if (stream)
            {
                using var response = await gateway.PostStreamAsync("/v1/chat/completions", body);
                response.EnsureSuccessStatusCode();
                await response.Content.ReadAsStringAsync();
            }
            else
            {
                (await gateway.PostJsonAsync("/v1/chat/completions", body)).EnsureSuccessStatusCode();
            }
        }, OpenAiDeploymentYaml.Of("smart", upstream));
    }

    [Fact]
    public async Task ChatCompletion_AuthLimitsAttemptAndSpendAreChildrenOfTheRequestSpan()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.RespondJson(OtelTraceTests.ChatAnswer);
        var spans = await ChatSpansAsync(upstream, """{"model":"smart","messages":[{"role":"user","content":"hello"}]}""");

        var root = Assert.Single(spans, s => s.Name == "POST /v1/chat/completions");
        foreach (var stage in new[] { "auth", "limits", "chat gpt-4o", "spend" })
        {
            var span = Assert.Single(spans, s => s.Name == stage);
            Assert.Equal(root.TraceId, span.TraceId);
            Assert.Equal(root.SpanId, span.ParentSpanId);
            Assert.NotEqual(2, span.StatusCode);
        }
        Assert.Equal("auth", spans.Single(s => s.Name == "auth").Attributes["service"]);
        Assert.True((double)spans.Single(s => s.Name == "spend").Attributes["gen_ai.cost.total_cost"] > 0);
    }

    [Fact]
    public async Task NonStreamedAnswer_AttemptSpanCarriesResponseModelFinishReasonsAndLiteLlmAttributes()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.RespondJson(OtelTraceTests.ChatAnswer);
        var spans = await ChatSpansAsync(upstream, """{"model":"smart","messages":[{"role":"user","content":"hello"}]}""");

        var attempt = Assert.Single(spans, s => s.Name == "chat gpt-4o").Attributes;
        Assert.Equal("gpt-4o-2024-08-06", attempt["gen_ai.response.model"]);
        Assert.Equal(new object[] { "stop" }, attempt["gen_ai.response.finish_reasons"]);
        Assert.Equal("c1", attempt["gen_ai.response.id"]);
        Assert.Equal("acompletion", attempt["llm.request.type"]);
        Assert.Equal("False", attempt["llm.is_streaming"]);
        Assert.Equal(15L, attempt["gen_ai.usage.total_tokens"]);
        Assert.True((double)attempt["gen_ai.cost.total_cost"] > 0);
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(TestGateway.MasterKey))),
            attempt["metadata.user_api_key_hash"]);
    }

    [Fact]
    public async Task StreamedAnswer_AttemptSpanCarriesResponseModelFinishReasonsAndFirstToken()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.RespondStream(StreamAnswer);
        var spans = await ChatSpansAsync(upstream, """{"model":"smart","stream":true,"messages":[{"role":"user","content":"hello"}]}""", stream: true);

        var attempt = Assert.Single(spans, s => s.Name == "chat gpt-4o");
        Assert.Equal("gpt-4o-2024-11-20", attempt.Attributes["gen_ai.response.model"]);
        Assert.Equal(new object[] { "length" }, attempt.Attributes["gen_ai.response.finish_reasons"]);
        Assert.Equal("True", attempt.Attributes["llm.is_streaming"]);
        Assert.Equal(2L, attempt.Attributes["gen_ai.usage.output_tokens"]);
        Assert.Contains("gen_ai.first_token", attempt.Events);
    }

    [Fact]
    public async Task StreamTranslatedForAnthropicClient_FinishReasonComesFromTheDecodedStream()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.RespondStream(StreamAnswer);
        await using var collector = await FakeUpstream.StartAsync();
        collector.RespondJson("{}");
        var spans = await OtelTraceTests.SpansAfterAsync(collector, async gateway =>
        {
            using var response = await gateway.PostStreamAsync("/v1/messages", """{"model":"smart","max_tokens":20,"stream":true,"messages":[{"role":"user","content":"hello"}]}""");
            response.EnsureSuccessStatusCode();
            await response.Content.ReadAsStringAsync();
        }, OpenAiDeploymentYaml.Of("smart", upstream));

        var attempt = Assert.Single(spans, s => s.Name == "chat gpt-4o").Attributes;
        Assert.Equal(new object[] { "length" }, attempt["gen_ai.response.finish_reasons"]);
        Assert.Equal("anthropic_messages", attempt["llm.request.type"]);
    }

    [Fact]
    public async Task GeminiEmbeddingWithForwardTraceparent_UpstreamCallIsChildOfEmbeddingsSpan()
    {
        await using var collector = await FakeUpstream.StartAsync();
        collector.RespondJson("{}");
        await using var gemini = await FakeUpstream.StartAsync();
        gemini.RespondJson("""{"embedding":{"values":[0.125,-0.5,1]}}""");
        var spans = await OtelTraceTests.SpansAfterAsync(collector, async gateway =>
            (await gateway.PostJsonAsync("/v1/embeddings", """{"model":"embed-gemini","input":"hello"}""")).EnsureSuccessStatusCode(), $"""
            - model_name: embed-gemini
              litellm_params:
                model: gemini/gemini-embedding-001
                api_base: {gemini.Url}
                api_key: AIza-up
            """, forwardTraceparent: true);

        var attempt = Assert.Single(spans, s => s.Name == "embeddings gemini-embedding-001");
        Assert.Equal("aembedding", attempt.Attributes["llm.request.type"]);
        Assert.Equal($"00-{attempt.TraceId}-{attempt.SpanId}-01", gemini.LastRequest.Headers["traceparent"]);
    }

    [Fact]
    public async Task RefusedKey_AuthSpanIsErrorAndNoAttemptStarts()
    {
        await using var collector = await FakeUpstream.StartAsync();
        collector.RespondJson("{}");
        await using var upstream = await FakeUpstream.StartAsync();
        var spans = await OtelTraceTests.SpansAfterAsync(collector, async gateway =>
            Assert.Equal(System.Net.HttpStatusCode.Unauthorized, (await gateway.ChatAsync("sk-not-a-key-9999", AdminClient.Chat.Replace("cheap", "smart", StringComparison.Ordinal))).StatusCode),
            OpenAiDeploymentYaml.Of("smart", upstream));

        var auth = Assert.Single(spans, s => s.Name == "auth");
        Assert.Equal(2, auth.StatusCode);
        Assert.DoesNotContain(spans, s => s.Name == "chat gpt-4o" || s.Name == "limits");
    }

    [Fact]
    public async Task ConfiguredSecrets_NeverInAnyExportedSpan()
    {
        await using var collector = await FakeUpstream.StartAsync();
        collector.RespondJson("{}");
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.RespondJson(OtelTraceTests.ChatAnswer);
        string? virtualKey = null;
        var spans = await OtelTraceTests.SpansAfterAsync(collector, async gateway =>
        {
            virtualKey = await gateway.NewKeyAsync("""{"key_alias":"team-a-key"}""");
            var chat = """{"model":"smart","messages":[{"role":"user","content":"hello"}]}""";
            (await gateway.ChatAsync(virtualKey, chat)).EnsureSuccessStatusCode();
            (await gateway.PostJsonAsync("/v1/chat/completions", chat)).EnsureSuccessStatusCode();
            (await gateway.ChatAsync(virtualKey + "x", chat)).Dispose();
            using var stream = await gateway.PostStreamAsync("/v1/chat/completions", """{"model":"smart","stream":true,"messages":[{"role":"user","content":"hello"}]}""");
            await stream.Content.ReadAsStringAsync();
        }, OpenAiDeploymentYaml.Of("smart", upstream));

        Assert.Contains(spans, s => s.Attributes.TryGetValue("metadata.user_api_key_alias", out var alias) && (string)alias == "team-a-key");
        foreach (var secret in new[] { TestGateway.MasterKey, virtualKey!, ProviderKey })
        {
            var bytes = Encoding.UTF8.GetBytes(secret);
            Assert.All(collector.Requests, export => Assert.Equal(-1, export.Body.AsSpan().IndexOf(bytes)));
            Assert.All(spans, span => Assert.DoesNotContain(span.Attributes.Values, v => v.ToString()!.Contains(secret, StringComparison.Ordinal)));
        }
    }
}

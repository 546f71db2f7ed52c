using System.Text;
using EdgeGw.Api;
using EdgeGw.Tests.Infrastructure;

namespace EdgeGw.Tests.Fuzz;

/// <summary>
/// A seeded corpus of malformed bodies and headers at every route: each answer is a 4xx (or a
/// success, where the request stayed valid) in the route's error envelope, never a 5xx, and the
/// gateway still serves a normal request afterwards.
/// </summary>
public sealed class MalformedInputFuzzTests
{
    private const string Models = """
        - model_name: mock-gpt
          litellm_params:
            model: mock/mock-gpt
            mock_response: "hello"
        """;

    /// <summary>A (local) response cache: its routes answer, and cached answers are fuzzed too; the model API is on (store_model_in_db continues general_settings).</summary>
    private const string WithCache = "  store_model_in_db: true\nlitellm_settings: { cache: true, cache_params: { type: local } }";

    [Fact]
    public void Corpus_CoversEveryRegisteredRoute()
    {
        var registered = RequestDispatcher.All.Select(r => (r.Path, r.Method, r.AnthropicErrors)).OrderBy(r => r.Path, StringComparer.Ordinal);
        var covered = FuzzCorpus.Routes.Select(r => (r.Path, r.Method, r.Anthropic)).OrderBy(r => r.Path, StringComparer.Ordinal);
        Assert.Equal(registered, covered);
        Assert.All(FuzzCorpus.Routes.Where(r => r.Method == "POST"), r => Assert.NotNull(r.BaseBody));
    }

    [Fact]
    public async Task MalformedRequestsAtEveryRoute_4xxInRouteEnvelopeNever5xx()
    {
        await using var gateway = await TestGateway.StartAsync(Models, WithCache);
        await SetUpEntitiesAsync(gateway);
        var corpus = FuzzCorpus.Build(TestGateway.MasterKey, bodiesPerRoute: 120);
        var failures = new List<string>();
        foreach (var fuzz in corpus)
        {
            var response = await RawHttp.SendAsync(gateway.BaseAddress, fuzz.Bytes);
            if (FuzzCorpus.Check(fuzz, response) is { } problem)
                failures.Add($"{fuzz.Route.Method} {fuzz.Target[..Math.Min(80, fuzz.Target.Length)]} [{fuzz.Description}] → {problem}");
        }
        Assert.True(corpus.Count > 1500, $"corpus has {corpus.Count} cases");
        Assert.True(failures.Count == 0, $"{failures.Count} of {corpus.Count} cases failed:\n" + string.Join('\n', failures.Take(60)));

        using var alive = await gateway.PostJsonAsync("/v1/chat/completions", """{"model":"mock-gpt","messages":[{"role":"user","content":"hi"}]}""");
        Assert.Equal(System.Net.HttpStatusCode.OK, alive.StatusCode);
    }

    [Theory]
    [InlineData("claude")]
    [InlineData("gem")]
    [InlineData("llama")]
    [InlineData("gpt")]
    [InlineData("embed-gemini")]
    public async Task MalformedModelRequestsToTranslatedProviders_NoServerError(string model)
    {
        // The upstream refuses everything: what is tested is the gateway's translation of malformed input and the mapped error.
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.RespondJson("""{"error":{"message":"refused","type":"invalid_request_error","code":"bad"}}""", 400);
        await using var gateway = await TestGateway.StartAsync($$"""
            - model_name: claude
              litellm_params: { model: anthropic/claude-sonnet-4-5, api_base: "{{upstream.Url}}", api_key: x }
            - model_name: gem
              litellm_params: { model: gemini/gemini-2.5-flash, api_base: "{{upstream.Url}}", api_key: AIza-up }
            - model_name: llama
              litellm_params: { model: ollama/llama3, api_base: "{{upstream.Url}}" }
            - model_name: gpt
              litellm_params: { model: openai/gpt-4o-mini, api_base: "{{upstream.Url}}", api_key: sk-up }
            - model_name: embed-gemini
              litellm_params: { model: gemini/gemini-embedding-001, api_base: "{{upstream.Url}}", api_key: AIza-up }
            """);
        var corpus = FuzzCorpus.Build(TestGateway.MasterKey, bodiesPerRoute: int.MaxValue, model: model,
            routes: r => r.Path is "/v1/chat/completions" or "/v1/messages" or "/v1/messages/count_tokens" or "/v1/embeddings" or "/v1/responses");
        var failures = new List<string>();
        foreach (var fuzz in corpus.Where(c => c.Body is not null))
        {
            var response = await RawHttp.SendAsync(gateway.BaseAddress, fuzz.Bytes);
            if (FuzzCorpus.Check(fuzz, response) is { } problem)
                failures.Add($"{fuzz.Route.Path} [{fuzz.Description}] → {problem}");
        }
        Assert.True(failures.Count == 0, $"{failures.Count} failed:\n" + string.Join('\n', failures.Take(40)));
    }

    [Fact]
    public async Task VirtualKeyAtEveryRoute_NoServerErrorAndRouteEnvelope()
    {
        await using var gateway = await TestGateway.StartAsync(Models, WithCache);
        using var generated = await gateway.PostJsonAsync("/key/generate", """{"models":["mock-gpt"],"max_budget":0}""");
        var key = System.Text.Json.JsonDocument.Parse(await generated.Content.ReadAsStringAsync()).RootElement.GetProperty("key").GetString()!;
        var failures = new List<string>();
        foreach (var route in FuzzCorpus.Routes)
        {
            var body = route.BaseBody is null ? null : Encoding.UTF8.GetBytes(route.BaseBody);
            string[] headers = body is null ? [$"Authorization: Bearer {key}"] : [$"Authorization: Bearer {key}", "Content-Type: application/json"];
            var fuzz = new FuzzCase(route, route.Path, "virtual key", headers, body, false);
            var response = await RawHttp.SendAsync(gateway.BaseAddress, fuzz.Bytes);
            if (FuzzCorpus.Check(fuzz, response) is { } problem)
                failures.Add($"{route.Path} → {problem}");
        }
        Assert.Empty(failures);
    }

    /// <summary>A team, a user and a key for the admin bodies to refer to.</summary>
    private static async Task SetUpEntitiesAsync(TestGateway gateway)
    {
        foreach (var (path, body) in new[]
        {
            ("/team/new", """{"team_id":"fuzz-team"}"""),
            ("/user/new", """{"user_id":"fuzz-user"}"""),
            ("/key/generate", """{"key":"sk-fuzz-existing-key-0001","team_id":"fuzz-team"}"""),
            // The model PATCH /model/model_example/update changes, so its bodies reach the merge and the checks.
            ("/model/new", """{"model_name":"fuzz-stored","litellm_params":{"model":"mock/fuzz","mock_response":"ok"},"model_info":{"id":"model_example"}}"""),
        })
        {
            using var response = await gateway.PostJsonAsync(path, body);
            Assert.True(response.IsSuccessStatusCode, $"{path}: {await response.Content.ReadAsStringAsync()}");
        }
    }
}

using EdgeGw.Tests.Infrastructure;

namespace EdgeGw.Tests.Models;

/// <summary>What the run-time model tests on PostgreSQL share: a model added through <c>/model/new</c> toward a fake OpenAI, and a chat to it.</summary>
internal static class RunTimeModels
{
    public const string Completion = """
        {"id":"chatcmpl-1","object":"chat.completion","created":1741569952,"model":"gpt-4o","choices":[{"index":0,"message":{"role":"assistant","content":"hi","refusal":null},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":1,"total_tokens":4}}
        """;

    public const string ChatToAdded = """{"model":"added-gpt","messages":[{"role":"user","content":"hello"}]}""";

    public const string UpstreamKey = "sk-db-upstream-key";

    /// <summary>Every config here turns on store_model_in_db, as LiteLLM requires before <c>/model/new</c> (a line under general_settings).</summary>
    public const string StoreInDb = "  store_model_in_db: true\n";

    public static string NewModel(FakeUpstream upstream, string id = "m-1") =>
        "{\"model_name\":\"added-gpt\",\"litellm_params\":{\"model\":\"openai/gpt-4o\",\"api_base\":\"" + upstream.Url
        + "/v1\",\"api_key\":\"" + UpstreamKey + "\",\"rpm\":5},\"model_info\":{\"id\":\"" + id + "\",\"mode\":\"chat\"}}";

    public static Task<HttpResponseMessage> ChatAsync(TestGateway gateway) => gateway.PostJsonAsync("/v1/chat/completions", ChatToAdded);

    public static Task<TestGateway> StartAsync(string databaseUrl, string extraYaml = "") =>
        TestGateway.StartAsync(AdminClient.CheapModel, StoreInDb + extraYaml, databaseUrl: databaseUrl);
}

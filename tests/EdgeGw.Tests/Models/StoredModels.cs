using EdgeGw.Tests.Infrastructure;

namespace EdgeGw.Tests.Models;

/// <summary>What the model API tests share: the setting that turns the API on and a /model/new body.</summary>
internal static class StoredModels
{
    /// <summary>Continues TestGateway's general_settings: the model API and database models need it, as in LiteLLM.</summary>
    public const string On = "  store_model_in_db: true\n";

    public const string Completion = """
        {"id":"chatcmpl-1","object":"chat.completion","created":1741569952,"model":"gpt-4o","choices":[{"index":0,"message":{"role":"assistant","content":"hi","refusal":null},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":1,"total_tokens":4}}
        """;

    public const string Chat = """{"model":"added-gpt","messages":[{"role":"user","content":"hello"}]}""";

    /// <summary>An OpenAI deployment named <c>added-gpt</c> on <paramref name="upstream"/> with key <c>sk-db-upstream-key</c>.</summary>
    public static string New(FakeUpstream upstream, string id = "m-1", int rpm = 5, string extraParams = "") =>
        "{\"model_name\":\"added-gpt\",\"litellm_params\":{\"model\":\"openai/gpt-4o\",\"api_base\":\"" + upstream.Url
        + "/v1\",\"api_key\":\"sk-db-upstream-key\",\"rpm\":" + rpm + extraParams + "},\"model_info\":{\"id\":\"" + id + "\",\"mode\":\"chat\"}}";
}

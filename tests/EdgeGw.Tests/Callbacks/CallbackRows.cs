using EdgeGw.Storage;

namespace EdgeGw.Tests.Callbacks;

/// <summary>What the callback tests feed the writers and workers: a successful request's spend row, and the call id a response names.</summary>
internal static class CallbackRows
{
    public static SpendRow Success(string id, DateTimeOffset? end = null) => new()
    {
        RequestId = id,
        ApiKey = "hash",
        StartTime = DateTimeOffset.UnixEpoch,
        EndTime = end ?? DateTimeOffset.UnixEpoch,
        Model = "gpt-4o",
        ModelGroup = "gpt",
        ModelId = "d1",
        Status = "success",
    };

    /// <summary>The OpenAI answer the fake upstream gives: 7 prompt and 3 completion tokens.</summary>
    public const string OkAnswer = """
        {"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"gpt-4o","choices":[{"index":0,"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}],"usage":{"prompt_tokens":7,"completion_tokens":3,"total_tokens":10}}
        """;

    public static string CallId(HttpResponseMessage response) => response.Headers.GetValues("x-litellm-call-id").Single();
}

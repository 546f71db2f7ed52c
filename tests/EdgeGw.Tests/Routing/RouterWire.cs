using EdgeGw.Tests.Infrastructure;

namespace EdgeGw.Tests.Routing;

/// <summary>OpenAI wire bytes the router tests' fake upstreams answer with, and commands to fail.</summary>
internal static class RouterWire
{
    public const string Chat = """{"model":"front","messages":[{"role":"user","content":"hi"}]}""";

    public static string Completion(string text) =>
        "{\"id\":\"chatcmpl-r1\",\"object\":\"chat.completion\",\"created\":1767225600,\"model\":\"up-model\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\""
        + text + "\"},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":2,\"total_tokens\":5}}";

    public static string Error(string message, string type = "server_error", string? code = null) =>
        "{\"error\":{\"message\":\"" + message + "\",\"type\":\"" + type + "\",\"param\":null,\"code\":" + (code is null ? "null" : "\"" + code + "\"") + "}}";

    public static string[] Stream(string text) =>
    [
        "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"up\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"" + text + "\"},\"finish_reason\":null}]}\n\n",
        "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"up\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n",
        "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"up\",\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":1,\"total_tokens\":4}}\n\n",
        "data: [DONE]\n\n",
    ];

    /// <summary>Answers <paramref name="failures"/> requests with <paramref name="status"/>, then succeeds.</summary>
    public static void FailThenAnswer(this FakeUpstream upstream, int failures, int status, string text, string? retryAfter = null, string? code = null)
    {
        var seen = 0;
        upstream.Handle(async (c, _) =>
        {
            c.Response.ContentType = "application/json";
            if (Interlocked.Increment(ref seen) <= failures)
            {
                c.Response.StatusCode = status;
                if (retryAfter is not null)
                    c.Response.Headers.RetryAfter = retryAfter;
                await c.Response.WriteAsync(Error("upstream failed with " + status, status == 400 ? "invalid_request_error" : "server_error", code));
                return;
            }
            await c.Response.WriteAsync(Completion(text));
        });
    }

    public static string Deployment(string group, FakeUpstream upstream, string id, int? order = null, string extra = "") => $"""
        - model_name: {group}
          litellm_params:
            model: openai/up-model
            api_base: {upstream.Url}/v1
            api_key: sk-up
        {(order is null ? "" : $"    order: {order}\n")}{extra}  model_info:
            id: {id}
        """;

    public static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : "";
}

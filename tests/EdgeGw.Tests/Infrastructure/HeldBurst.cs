namespace EdgeGw.Tests.Infrastructure;

/// <summary>
/// Many requests at once with every upstream answer held back until each request has either been
/// refused or reached the upstream: every admission decision is made with all of them in flight.
/// </summary>
public static class HeldBurst
{
    public static Task<HttpResponseMessage[]> SendAsync(TestGateway gateway, FakeUpstream upstream, string key, string body, int count,
        Func<HttpContext, Task> answer) =>
        SendAsync(upstream, count, _ => gateway.ChatAsync(key, body), answer);

    /// <summary>The burst with request <c>i</c> sent by <paramref name="send"/>(i): e.g. spread over several replicas.</summary>
    public static async Task<HttpResponseMessage[]> SendAsync(FakeUpstream upstream, int count, Func<int, Task<HttpResponseMessage>> send,
        Func<HttpContext, Task> answer)
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var reached = 0;
        upstream.Handle(async (context, _) =>
        {
            Interlocked.Increment(ref reached);
            await release.Task;
            await answer(context);
        });
        var requests = Enumerable.Range(0, count).Select(send).ToArray();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (Volatile.Read(ref reached) + requests.Count(r => r.IsCompleted) < count && DateTime.UtcNow < deadline)
            await Task.Delay(10);
        release.SetResult();
        return await Task.WhenAll(requests);
    }

    /// <summary>An OpenAI chat completion using <paramref name="prompt"/> + <paramref name="completion"/> tokens, streamed or not.</summary>
    public static async Task AnswerAsync(HttpContext context, bool stream, int prompt, int completion)
    {
        var usage = $$"""{"prompt_tokens":{{prompt}},"completion_tokens":{{completion}},"total_tokens":{{prompt + completion}}}""";
        if (!stream)
        {
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync($$"""
                {"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"gpt-4o","choices":[{"index":0,"message":{"role":"assistant","content":"Hi"},"finish_reason":"stop"}],"usage":{{usage}}}
                """);
            return;
        }
        context.Response.ContentType = "text/event-stream";
        await context.Response.WriteAsync(
            "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"Hi\"},\"finish_reason\":\"stop\"}]}\n\n"
            + $"data: {{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4o\",\"choices\":[],\"usage\":{usage}}}\n\n"
            + "data: [DONE]\n\n");
    }
}

using EdgeGw.Auth;
using EdgeGw.Config;
using EdgeGw.Observability.Otel;
using EdgeGw.Streaming;
using Microsoft.AspNetCore.Http;

namespace EdgeGw.Tests.Observability;

/// <summary>Issue 18's hot-path budget for traces: a request's span work (record + one enqueue) allocates nothing.</summary>
[Collection(nameof(OtelTraceTests))]
public sealed class OtelDeferredAllocationTests
{
    private static readonly byte[] Answer = """{"id":"c1","object":"chat.completion","created":1,"model":"gpt-4o-2024-08-06","choices":[{"index":0,"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}],"usage":{"prompt_tokens":12,"completion_tokens":3,"total_tokens":15}}"""u8.ToArray();

    [Fact]
    public void ChatRequestWithRetry_RecordAndEnqueueAllocateNothing()
    {
        var http = new DefaultHttpContext();
        http.Request.Method = "POST";
        var deployment = new Deployment { Index = 0, ModelName = "smart", Provider = "openai", ModelId = "gpt-4o", Id = "dep-1" };
        var caller = new Caller(CallerKind.Master, masterToken: new string('a', 64));
        var trace = new DeferredTrace();
        OneRequest(trace, http.Request, deployment, caller); // JIT and the lock's first use
        DeferredSpans.Drain();

        var before = GC.GetAllocatedBytesForCurrentThread();
        OneRequest(trace, http.Request, deployment, caller);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        DeferredSpans.Drain();

        Assert.Equal(0, allocated);
    }

    private static void OneRequest(DeferredTrace trace, HttpRequest request, Deployment deployment, Caller caller)
    {
        trace.Begin(request, "/v1/chat/completions");
        trace.Close(trace.OpenStage("auth"), null);
        for (var attempt = 0; attempt < 2; attempt++)
        {
            trace.Close(trace.OpenStage("limits"), null);
            trace.StartAttempt("smart", deployment, caller);
        }
        trace.FirstToken();
        trace.FromOpenAi(Answer, withModel: true);
        trace.Finished(FinishReason.Length);
        var spend = trace.OpenStage("spend");
        trace.Cost(spend, 1_500);
        trace.Close(spend, null);
        trace.EndAttempt(200, 12, 3, 1_500, stream: false);
        trace.Finish(200);
    }
}

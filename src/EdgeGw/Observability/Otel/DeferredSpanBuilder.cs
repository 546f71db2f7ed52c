using System.Diagnostics;
using System.Text;
using EdgeGw.Auth;

namespace EdgeGw.Observability.Otel;

/// <summary>The worker's half of <see cref="DeferredTrace"/>: the same spans the live path makes, with explicit start/end times.</summary>
internal static class DeferredSpanBuilder
{
    public static void Build(ActivitySource source, DeferredTrace trace)
    {
        var root = source.StartActivity(ActivityKind.Server, trace.Parent, startTime: At(trace, trace.Arrival), name: $"{trace.Method} {trace.Path}");
        if (root is null)
            return;
        root.SetTag("http.request.method", trace.Method);
        root.SetTag("url.path", trace.Path);
        if (trace.ModelGroup is not null)
            root.SetTag("gen_ai.request.model", trace.ModelGroup);
        for (var i = 0; i < trace.Count; i++)
        {
            if (trace.Spans[i].Kind == DeferredSpanKind.Stage)
                Stage(source, root, trace, ref trace.Spans[i]);
            else
                Attempt(source, root, trace, i);
        }
        if (trace.Ended)
        {
            root.SetTag("gen_ai.usage.input_tokens", trace.PromptTokens);
            root.SetTag("gen_ai.usage.output_tokens", trace.CompletionTokens);
            if (trace.Error)
                root.SetStatus(ActivityStatusCode.Error);
        }
        root.SetTag("http.response.status_code", trace.ResponseStatus);
        if (trace.ResponseStatus >= 500)
            root.SetStatus(ActivityStatusCode.Error);
        root.SetEndTime(At(trace, trace.Departure).UtcDateTime);
        root.Dispose();
    }

    private static DateTimeOffset At(DeferredTrace trace, long ticks) =>
        new(trace.WallStart + Stopwatch.GetElapsedTime(trace.Arrival, Math.Max(ticks, trace.Arrival)), TimeSpan.Zero);

    private static void Stage(ActivitySource source, Activity root, DeferredTrace trace, ref DeferredSpan stage)
    {
        using var span = source.StartActivity(ActivityKind.Internal, root.Context, startTime: At(trace, stage.Start), name: stage.Name);
        if (span is null)
            return;
        span.SetTag("service", stage.Name);
        if (stage.HasCost)
            GenAiSpans.Cost(span, stage.CostNanos);
        if (stage.Error)
            span.SetStatus(ActivityStatusCode.Error, stage.StatusMessage);
        span.SetEndTime(At(trace, stage.End).UtcDateTime);
    }

    private static void Attempt(ActivitySource source, Activity root, DeferredTrace trace, int index)
    {
        ref var attempt = ref trace.Spans[index];
        var deployment = attempt.Deployment!;
        var (operation, callType) = GenAiSpans.Operation(trace.Path);
        using var span = source.StartActivity(ActivityKind.Client, root.Context, startTime: At(trace, attempt.Start), name: $"{operation} {deployment.ModelId}");
        if (span is null)
            return;
        GenAiSpans.Tag(span, operation, callType, attempt.ModelGroup!, deployment, attempt.Caller ?? Caller.Anonymous);
        if (attempt.FirstToken != 0)
            span.AddEvent(new ActivityEvent("gen_ai.first_token", At(trace, attempt.FirstToken)));
        if (attempt.ModelLength >= 0)
            span.SetTag("gen_ai.response.model", Encoding.UTF8.GetString(trace.TextOf(index, 0, attempt.ModelLength)));
        if (attempt.IdLength >= 0)
            span.SetTag("gen_ai.response.id", Encoding.UTF8.GetString(trace.TextOf(index, DeferredSpan.MaxTextBytes, attempt.IdLength)));
        if (attempt.FinishCount > 0)
        {
            var reasons = new string[attempt.FinishCount];
            for (var i = 0; i < reasons.Length; i++)
                reasons[i] = DeferredTrace.FinishName(attempt.FinishCodes![i], attempt.OtherFinish);
            span.SetTag("gen_ai.response.finish_reasons", reasons);
        }
        if (attempt.Ended)
            GenAiSpans.EndTags(span, attempt.Status, attempt.PromptTokens, attempt.CompletionTokens, attempt.CostNanos, attempt.Stream);
        else if (attempt.Error)
            span.SetStatus(ActivityStatusCode.Error, attempt.StatusMessage);
        span.SetEndTime(At(trace, attempt.End).UtcDateTime);
    }
}

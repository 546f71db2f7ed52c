using System.Diagnostics;
using System.Text.Json;
using EdgeGw.Streaming;

namespace EdgeGw.Observability.Otel;

/// <summary>
/// What the answer itself says (<c>gen_ai.response.model</c>, <c>.id</c>, <c>.finish_reasons</c>), put on
/// the attempt span the adapter runs under (<see cref="Activity.Current"/> since RequestTelemetry.Begin).
/// With otel off each call is one listener check.
/// </summary>
internal static class GenAiAnswer
{
    private const string FinishReasons = "gen_ai.response.finish_reasons";

    /// <summary>A stream decoder ended a choice (the client encoders' Finish).</summary>
    public static void Finished(FinishReason reason)
    {
        if (DeferredTrace.Current is { } trace)
        {
            trace.Finished(reason);
            return;
        }
        if (Attempt() is { } attempt)
            AddFinish(attempt, reason switch
            {
                FinishReason.Length => "length",
                FinishReason.ToolCalls => "tool_calls",
                FinishReason.ContentFilter => "content_filter",
                _ => "stop",
            });
    }

    /// <summary>An OpenAI <c>chat.completion</c> or one chunk of a stream: its model and id (first seen) and each choice's finish_reason.</summary>
    /// <param name="withModel">False when the answer was translated and already names the client's model, not the provider's.</param>
    public static void FromOpenAi(ReadOnlySpan<byte> json, bool withModel = true)
    {
        if (DeferredTrace.Current is { } trace)
        {
            trace.FromOpenAi(json, withModel);
            return;
        }
        if (Attempt() is { } attempt)
            OpenAiAnswerFields.Read(json, withModel, new LiveFields(attempt));
    }

    private static Activity? Attempt() =>
        GatewayActivity.Source.HasListeners() && Activity.Current is { Kind: ActivityKind.Client } current
            && ReferenceEquals(current.Source, GatewayActivity.Source) ? current : null;

    /// <summary>The live attempt span's fields: model and id the first time they are seen, every finish reason.</summary>
    private readonly struct LiveFields(Activity attempt) : IAnswerFields
    {
        public void Model(ref Utf8JsonReader value) => SetOnce("gen_ai.response.model", ref value);

        public void Id(ref Utf8JsonReader value) => SetOnce("gen_ai.response.id", ref value);

        public void Finish(ref Utf8JsonReader value) => AddFinish(attempt, value.GetString()!);

        private void SetOnce(string name, ref Utf8JsonReader value)
        {
            if (attempt.GetTagItem(name) is null)
                attempt.SetTag(name, value.GetString());
        }
    }

    private static void AddFinish(Activity attempt, string reason) =>
        attempt.SetTag(FinishReasons, attempt.GetTagItem(FinishReasons) is string[] earlier ? [.. earlier, reason] : new[] { reason });
}

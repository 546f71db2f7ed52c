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
        if (Attempt() is not { } attempt)
            return;
        var reader = new Utf8JsonReader(json);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                return;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (withModel && reader.ValueTextEquals("model"u8))
                    SetOnce(attempt, "gen_ai.response.model", ref reader);
                else if (reader.ValueTextEquals("id"u8))
                    SetOnce(attempt, "gen_ai.response.id", ref reader);
                else if (reader.ValueTextEquals("choices"u8))
                    ReadChoices(attempt, ref reader);
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }
        }
        catch (JsonException)
        {
            // Already validated by the adapter's scan; a span attribute is not worth failing an answer for.
        }
    }

    private static Activity? Attempt() =>
        GatewayActivity.Source.HasListeners() && Activity.Current is { Kind: ActivityKind.Client } current
            && ReferenceEquals(current.Source, GatewayActivity.Source) ? current : null;

    private static void SetOnce(Activity attempt, string name, ref Utf8JsonReader reader)
    {
        reader.Read();
        if (reader.TokenType == JsonTokenType.String && attempt.GetTagItem(name) is null)
            attempt.SetTag(name, reader.GetString());
        else
            reader.Skip();
    }

    private static void ReadChoices(Activity attempt, ref Utf8JsonReader reader)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            reader.Skip();
            return;
        }
        var depth = reader.CurrentDepth;
        while (reader.Read() && reader.CurrentDepth > depth)
        {
            // A property of a choice object itself (not of its message or delta).
            if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == depth + 2 && reader.ValueTextEquals("finish_reason"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.String)
                    AddFinish(attempt, reader.GetString()!);
            }
        }
    }

    private static void AddFinish(Activity attempt, string reason) =>
        attempt.SetTag(FinishReasons, attempt.GetTagItem(FinishReasons) is string[] earlier ? [.. earlier, reason] : new[] { reason });
}

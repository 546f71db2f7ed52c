using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace EdgeGw.Bench;

/// <summary>
/// Prototype of deferred span construction (issue 18's ≤ 2 µs / 1 enqueue target): the request path
/// writes timestamps and ids into a reused record and enqueues it; a worker builds the Activities
/// afterwards with explicit start/end times. Benchmark-only until it replaces GenAiSpans/StageSpan.
/// </summary>
internal sealed class SpanRecord
{
    // Raw bytes: ActivityTraceId.CreateRandom caches its 32-char hex string (88 B); the worker makes the id.
    public readonly byte[] TraceId = new byte[16];
    public ActivitySpanId ParentSpanId;
    public long Start, AuthStart, AuthEnd, LimitsStart, LimitsEnd, AttemptStart, FirstToken, AttemptEnd, SpendStart, SpendEnd, End;
    public DateTime WallStart;
    public string? Method, Path, ModelGroup, Provider, ModelId, DeploymentId;
    public int Status;
    public long PromptTokens, CompletionTokens, CostNanos;
    // The answer's model copied as UTF-8 (no string on the request path); the worker decodes it.
    public readonly byte[] ResponseModel = new byte[64];
    public int ResponseModelLength;
    public byte FinishReason;

    public void Reset()
    {
        ResponseModelLength = 0;
        ParentSpanId = default; // set from a client traceparent when one came
    }

    /// <summary>The answer's <c>model</c> and first finish_reason, read without allocating.</summary>
    public void ReadAnswer(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("model"u8))
            {
                reader.Read();
                ResponseModelLength = reader.CopyString(ResponseModel);
            }
            else if (reader.ValueTextEquals("choices"u8))
            {
                reader.Read();
                var depth = reader.CurrentDepth;
                while (reader.Read() && reader.CurrentDepth > depth)
                    if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == depth + 2 && reader.ValueTextEquals("finish_reason"u8))
                    {
                        reader.Read();
                        FinishReason = reader.ValueTextEquals("stop"u8) ? (byte)1 : (byte)2;
                    }
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
    }
}

/// <summary>The fixed ring the request path enqueues into (overwrites the oldest when full, like CallbackQueue).</summary>
internal sealed class SpanRecordRing(int capacity)
{
    private readonly SpanRecord?[] _ring = new SpanRecord?[capacity];
    private readonly Lock _lock = new();
    private int _head, _count;

    public void Enqueue(SpanRecord record)
    {
        lock (_lock)
        {
            if (_count == _ring.Length)
            {
                _ring[_head] = record;
                _head = (_head + 1) % _ring.Length;
                return;
            }
            _ring[(_head + _count++) % _ring.Length] = record;
        }
    }

    public SpanRecord? Dequeue()
    {
        lock (_lock)
        {
            if (_count == 0)
                return null;
            var record = _ring[_head];
            _ring[_head] = null;
            _head = (_head + 1) % _ring.Length;
            _count--;
            return record;
        }
    }
}

/// <summary>The worker's half: the same spans as main builds on the request path, with explicit times.</summary>
internal static class SpanBuilder
{
    public static void Build(ActivitySource source, SpanRecord r)
    {
        DateTimeOffset At(long ticks) => new(r.WallStart + Stopwatch.GetElapsedTime(r.Start, ticks), TimeSpan.Zero);
        var parent = r.ParentSpanId == default ? default : new ActivityContext(ActivityTraceId.CreateFromBytes(r.TraceId), r.ParentSpanId, ActivityTraceFlags.Recorded, isRemote: true);
        using var root = source.StartActivity(ActivityKind.Server, parent, startTime: At(r.Start), name: $"{r.Method} {r.Path}");
        if (root is null)
            return;
        root.SetTag("http.request.method", r.Method);
        root.SetTag("url.path", r.Path);
        root.SetTag("gen_ai.request.model", r.ModelGroup);
        Stage(source, root, "auth", At(r.AuthStart), At(r.AuthEnd));
        Stage(source, root, "limits", At(r.LimitsStart), At(r.LimitsEnd));
        using (var attempt = source.StartActivity(ActivityKind.Client, root.Context, startTime: At(r.AttemptStart), name: $"chat {r.ModelId}"))
        {
            attempt?.SetTag("gen_ai.operation.name", "chat");
            attempt?.SetTag("gen_ai.system", r.Provider);
            attempt?.SetTag("gen_ai.request.model", r.ModelId);
            attempt?.SetTag("litellm.model_id", r.DeploymentId);
            attempt?.SetTag("gen_ai.response.model", Encoding.UTF8.GetString(r.ResponseModel, 0, r.ResponseModelLength));
            attempt?.SetTag("gen_ai.response.finish_reasons", new[] { r.FinishReason == 1 ? "stop" : "length" });
            attempt?.SetTag("gen_ai.usage.input_tokens", r.PromptTokens);
            attempt?.SetTag("gen_ai.usage.output_tokens", r.CompletionTokens);
            attempt?.AddEvent(new ActivityEvent("gen_ai.first_token", At(r.FirstToken)));
            attempt?.SetEndTime(At(r.AttemptEnd).UtcDateTime);
        }
        Stage(source, root, "spend", At(r.SpendStart), At(r.SpendEnd));
        root.SetTag("http.response.status_code", r.Status);
        root.SetEndTime(At(r.End).UtcDateTime);
    }

    private static void Stage(ActivitySource source, Activity root, string name, DateTimeOffset start, DateTimeOffset end)
    {
        using var span = source.StartActivity(ActivityKind.Internal, root.Context, startTime: start, name: name);
        span?.SetTag("service", name);
        span?.SetEndTime(end.UtcDateTime);
    }
}

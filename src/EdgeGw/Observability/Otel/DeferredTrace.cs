using System.Diagnostics;
using System.Text.Json;
using EdgeGw.Auth;
using EdgeGw.Config;
using EdgeGw.Streaming;

namespace EdgeGw.Observability.Otel;

/// <summary>
/// One request's spans as data (issue 18: ≤ 2 µs, one allocation-free enqueue per request): the request
/// path writes ticks, references and the answer's bytes into this pooled record and enqueues it once;
/// <see cref="DeferredSpans"/>' worker builds the same Activities afterwards with explicit times.
/// </summary>
internal sealed class DeferredTrace : IAnswerFields
{
    public const int MaxSpans = 16;

    // Adapters read the answer without the HttpContext (as they read Activity.Current on the live path).
    private static readonly AsyncLocal<DeferredTrace?> CurrentLocal = new();

    public readonly DeferredSpan[] Spans = new DeferredSpan[MaxSpans];
    public readonly byte[] Text = new byte[MaxSpans * 2 * DeferredSpan.MaxTextBytes];
    public int Count;
    public int Attempt = -1;
    public ActivityContext Parent;
    public long Arrival, Departure;
    public DateTime WallStart;
    public string Method = "", Path = "";
    public string? ModelGroup;
    public bool Ended;
    public long PromptTokens, CompletionTokens;
    public bool Error;
    public int ResponseStatus;

    public DeferredTrace()
    {
        for (var i = 0; i < MaxSpans; i++)
            Spans[i].FinishCodes = new byte[DeferredSpan.MaxFinishReasons];
    }

    public static DeferredTrace? Current => CurrentLocal.Value;

    /// <summary>Null (and no header is read) unless spans are deferred and the otel callback listens.</summary>
    public static DeferredTrace? Start(HttpRequest request, string path)
    {
        if (!DeferredSpans.Enabled || !GatewayActivity.Source.HasListeners())
            return null;
        var trace = DeferredSpans.Rent();
        trace.Begin(request, path);
        // The one allocation left with otel on: the ExecutionContext an AsyncLocal change makes (the live path sets Activity.Current).
        CurrentLocal.Value = trace;
        return trace;
    }

    public void Begin(HttpRequest request, string path)
    {
        Arrival = Stopwatch.GetTimestamp();
        WallStart = DateTime.UtcNow;
        Method = request.Method;
        Path = path;
        var headers = request.Headers;
        if (headers.TryGetValue("traceparent", out var traceparent)
            && ActivityContext.TryParse(traceparent.ToString(), headers.TryGetValue("tracestate", out var state) ? state.ToString() : null, isRemote: true, out var context))
            Parent = context;
    }

    public void Reset()
    {
        for (var i = 0; i < Count; i++)
        {
            var codes = Spans[i].FinishCodes;
            Spans[i] = default;
            Spans[i].FinishCodes = codes;
        }
        Count = 0;
        Attempt = -1;
        Parent = default;
        Method = Path = "";
        ModelGroup = null;
        Ended = Error = false;
        PromptTokens = CompletionTokens = 0;
        ResponseStatus = 0;
    }

    /// <summary>A stage span (auth, limits, spend); -1 once the record is full.</summary>
    public int OpenStage(string name)
    {
        if (Count == MaxSpans)
            return -1;
        ref var span = ref Spans[Count];
        span.Kind = DeferredSpanKind.Stage;
        span.Name = name;
        span.Start = Stopwatch.GetTimestamp();
        return Count++;
    }

    public void Close(int index, string? refusal)
    {
        if (index < 0 || Spans[index].End != 0)
            return;
        ref var span = ref Spans[index];
        span.End = Stopwatch.GetTimestamp();
        if (refusal is not null)
        {
            span.Error = true;
            span.StatusMessage = refusal;
        }
    }

    public void Cost(int index, long costNanos)
    {
        if (index < 0)
            return;
        Spans[index].CostNanos = costNanos;
        Spans[index].HasCost = true;
    }

    public void StartAttempt(string modelGroup, Deployment deployment, Caller caller)
    {
        FailAttempt("retried on another attempt");
        ModelGroup = modelGroup;
        if (Count == MaxSpans)
            return;
        ref var span = ref Spans[Count];
        span.Kind = DeferredSpanKind.Attempt;
        span.Start = Stopwatch.GetTimestamp();
        span.Deployment = deployment;
        span.Caller = caller;
        span.ModelGroup = modelGroup;
        span.ModelLength = span.IdLength = -1;
        Attempt = Count++;
    }

    public void FailAttempt(string reason)
    {
        if (Attempt < 0)
            return;
        ref var span = ref Spans[Attempt];
        span.End = Stopwatch.GetTimestamp();
        span.Error = true;
        span.StatusMessage = reason;
        Attempt = -1;
    }

    public void FirstToken()
    {
        if (Attempt >= 0)
            Spans[Attempt].FirstToken = Stopwatch.GetTimestamp();
    }

    public void EndAttempt(int status, long promptTokens, long completionTokens, long costNanos, bool stream)
    {
        Ended = true;
        PromptTokens = promptTokens;
        CompletionTokens = completionTokens;
        Error |= status >= 400;
        if (Attempt < 0)
            return;
        ref var span = ref Spans[Attempt];
        span.End = Stopwatch.GetTimestamp();
        span.Ended = true;
        span.Status = status;
        span.Error = status >= 400;
        span.PromptTokens = promptTokens;
        span.CompletionTokens = completionTokens;
        span.CostNanos = costNanos;
        span.HasCost = true;
        span.Stream = stream;
        Attempt = -1;
    }

    /// <summary>The request is over: closes what is open and hands the record to the worker.</summary>
    public void Finish(int responseStatus)
    {
        FailAttempt("ended without an answer");
        for (var i = 0; i < Count; i++)
            Close(i, null);
        ResponseStatus = responseStatus;
        Departure = Stopwatch.GetTimestamp();
        DeferredSpans.Enqueue(this);
    }

    public void Finished(FinishReason reason) => AddFinish(reason switch
    {
        FinishReason.Length => (byte)2,
        FinishReason.ToolCalls => (byte)3,
        FinishReason.ContentFilter => (byte)4,
        _ => (byte)1,
    }, null);

    /// <summary>See <see cref="GenAiAnswer.FromOpenAi"/>: the same fields, copied as bytes.</summary>
    public void FromOpenAi(ReadOnlySpan<byte> json, bool withModel)
    {
        if (Attempt >= 0)
            OpenAiAnswerFields.Read(json, withModel, this);
    }

    public ReadOnlySpan<byte> TextOf(int index, int offset, int length) =>
        Text.AsSpan((index * 2 * DeferredSpan.MaxTextBytes) + offset, length);

    void IAnswerFields.Model(ref Utf8JsonReader value) => CopyOnce(ref value, ref Spans[Attempt].ModelLength, 0);

    void IAnswerFields.Id(ref Utf8JsonReader value) => CopyOnce(ref value, ref Spans[Attempt].IdLength, DeferredSpan.MaxTextBytes);

    void IAnswerFields.Finish(ref Utf8JsonReader value)
    {
        var code = value.ValueTextEquals("stop"u8) ? (byte)1
            : value.ValueTextEquals("length"u8) ? (byte)2
            : value.ValueTextEquals("tool_calls"u8) ? (byte)3
            : value.ValueTextEquals("content_filter"u8) ? (byte)4
            : value.ValueTextEquals("function_call"u8) ? (byte)5 : (byte)0;
        AddFinish(code, code == 0 ? value.GetString() : null);
    }

    private void CopyOnce(ref Utf8JsonReader value, ref int length, int offset)
    {
        if (length >= 0)
            return;
        var target = Text.AsSpan((Attempt * 2 * DeferredSpan.MaxTextBytes) + offset, DeferredSpan.MaxTextBytes);
        // Unescaping never lengthens: a value that fits raw fits copied (a longer one is left out, bounded record).
        if (!value.HasValueSequence && value.ValueSpan.Length <= target.Length)
            length = value.CopyString(target);
    }

    private void AddFinish(byte code, string? other)
    {
        if (Attempt < 0)
            return;
        ref var span = ref Spans[Attempt];
        if (span.FinishCount == DeferredSpan.MaxFinishReasons)
            return;
        if (other is not null)
            span.OtherFinish = other;
        span.FinishCodes![span.FinishCount++] = code;
    }

    public static string FinishName(byte code, string? other) => code switch
    {
        1 => "stop",
        2 => "length",
        3 => "tool_calls",
        4 => "content_filter",
        5 => "function_call",
        _ => other ?? "stop",
    };
}

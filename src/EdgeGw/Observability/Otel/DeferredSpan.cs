using EdgeGw.Auth;
using EdgeGw.Config;

namespace EdgeGw.Observability.Otel;

internal enum DeferredSpanKind : byte { Stage, Attempt }

/// <summary>One span of a <see cref="DeferredTrace"/>: what the worker needs to build it, no strings made on the request path.</summary>
internal struct DeferredSpan
{
    public const int MaxFinishReasons = 8;
    public const int MaxTextBytes = 128;

    public DeferredSpanKind Kind;
    public string Name; // a stage's name (a constant)
    public long Start, End, FirstToken;
    public bool Error;
    public string? StatusMessage;
    public long CostNanos;
    public bool HasCost;
    // An attempt's inputs: references to config objects the request already holds.
    public Deployment? Deployment;
    public Caller? Caller;
    public string? ModelGroup;
    public bool Ended; // its accounting finished it (tokens, status, stream)
    public long PromptTokens, CompletionTokens;
    public int Status;
    public bool Stream;
    public int ModelLength, IdLength; // -1: not seen; bytes in the trace's text buffer at this span's offset
    public int FinishCount;
    public byte[]? FinishCodes;
    public string? OtherFinish; // a finish_reason outside the known ones (rare: allocated)
}

using EdgeGw.Api;
using EdgeGw.Storage;

namespace EdgeGw.Observability.Callbacks;

/// <summary>
/// One finished request for the callbacks: the spend row already built for it plus its error, by
/// reference, so the request path enqueues a struct and nothing is serialized until a worker sends it.
/// </summary>
internal readonly record struct CallbackEvent(SpendRow Row, GatewayError? Error)
{
    /// <summary>A stream's first byte to its client (LiteLLM's <c>completionStartTime</c>); null: not a stream, the end time stands in.</summary>
    public DateTimeOffset? StreamStarted { get; init; }

    /// <summary>Prompt and answer for the destinations that log them; null: not captured.</summary>
    public CallbackContent? Content { get; init; }

    public bool Succeeded => Error is null;
}

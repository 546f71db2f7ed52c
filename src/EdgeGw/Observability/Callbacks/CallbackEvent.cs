using EdgeGw.Api;
using EdgeGw.Storage;

namespace EdgeGw.Observability.Callbacks;

/// <summary>
/// One finished request for the callbacks: the spend row already built for it plus its error, by
/// reference, so the request path enqueues a struct and nothing is serialized until a worker sends it.
/// </summary>
internal readonly record struct CallbackEvent(SpendRow Row, GatewayError? Error)
{
    public bool Succeeded => Error is null;
}

namespace EdgeGw.Api.Responses;

/// <summary>
/// A Responses request ready for the pipeline: the group it names, the client's body as parsed
/// (<see cref="Original"/>, where the model sits for a native deployment's splice), the canonical
/// chat request it was translated into, and what admission reserves for it.
/// </summary>
internal readonly record struct ResponsesPrepared(Routing.ModelGroup Group, ChatRequest Original, ChatRequest Request,
    ResponsesTranslation Translation, Limits.RequestEstimate Estimate);

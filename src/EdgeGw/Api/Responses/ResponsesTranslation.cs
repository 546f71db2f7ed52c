namespace EdgeGw.Api.Responses;

/// <summary>
/// The outcome of translating a Responses body. <see cref="Error"/> refuses the request everywhere;
/// <see cref="BridgeError"/> only where it is bridged (a built-in tool OpenAI itself would run).
/// </summary>
internal readonly record struct ResponsesTranslation(GatewayError? Error, GatewayError? BridgeError, string? PreviousResponseId, bool Store,
    ReadOnlyMemory<byte> Echo = default, ReadOnlyMemory<byte> InputItems = default);

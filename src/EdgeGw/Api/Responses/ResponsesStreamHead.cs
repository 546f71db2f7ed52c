namespace EdgeGw.Api.Responses;

/// <summary>
/// What every event of one Responses stream repeats, rendered once per request: the response id and
/// model as JSON strings (quotes included), its creation time, and <see cref="EchoJson"/>, the
/// request-echo properties of the Response object as <c>"key":value,</c> pairs without braces.
/// </summary>
internal sealed record ResponsesStreamHead(byte[] ResponseIdJson, byte[] ModelJson, long CreatedAt, ReadOnlyMemory<byte> EchoJson);

namespace EdgeGw.Streaming;

/// <summary>
/// Bounds on a stream whose client went away or stopped reading. LiteLLM has no such settings;
/// <see cref="WriteTimeout"/> is <c>EDGEGW_STREAM_WRITE_TIMEOUT</c>.
/// </summary>
internal sealed record StreamLimits
{
    public static readonly TimeSpan DefaultWriteTimeout = TimeSpan.FromSeconds(30);
    public static readonly StreamLimits Default = new();

    /// <summary>A write the client does not take within this ends the stream: the client stalled.</summary>
    public TimeSpan WriteTimeout { get; init; } = DefaultWriteTimeout;

    /// <summary>How long an abandoned stream is read on for its usage (each read is also bounded by <c>stream_timeout</c>).</summary>
    public TimeSpan DrainTime { get; init; } = TimeSpan.FromSeconds(30);

    public static StreamLimits Of(HttpContext http) => Api.GatewayRuntime.Of(http)?.StreamLimits ?? Default;
}

namespace EdgeGw.Cache;

/// <summary>
/// A request's own <c>cache: {…}</c> controls (LiteLLM's dynamic cache controls): <c>no-cache</c> (skip
/// the lookup), <c>no-store</c>, <c>ttl</c> and <c>s-maxage</c> (seconds), <c>namespace</c>, and
/// <c>use-cache</c> (opt in under <c>mode: default_off</c>).
/// </summary>
internal sealed record CacheControl
{
    public bool NoCache { get; init; }
    public bool NoStore { get; init; }
    public TimeSpan? Ttl { get; init; }
    /// <summary>Refuse an entry older than this.</summary>
    public TimeSpan? MaxAge { get; init; }
    public string? Namespace { get; init; }
    /// <summary><c>use-cache</c>: true opts in under <c>default_off</c>; false opts out.</summary>
    public bool? UseCache { get; init; }
}

using EdgeGw.Api;
using EdgeGw.Config;

namespace EdgeGw.Routing;

/// <summary>LiteLLM's error classes, which <c>retry_policy</c> and the fallback lists key on.</summary>
internal enum ErrorClass : byte
{
    BadRequest,
    ContextWindow,
    ContentPolicy,
    Authentication,
    NotFound,
    Timeout,
    RateLimit,
    InternalServer,
}

/// <summary>Whether and when a failed attempt is tried again in the same model group.</summary>
internal static class RetryRules
{
    private const double InitialDelaySeconds = 0.5;
    private const double MaxDelaySeconds = 8;

    /// <summary>The least wait between attempts on the same deployment, jittered up by to half again: a <c>Retry-After: 0</c> must not become a tight loop.</summary>
    public const double MinDelaySeconds = 0.25;

    public static ErrorClass Classify(GatewayError error) => error switch
    {
        { Code: "context_length_exceeded" } => ErrorClass.ContextWindow,
        { Code: Upstream.ContentPolicy.Code or Upstream.ContentPolicy.AzureCode } => ErrorClass.ContentPolicy,
        { Status: 401 or 403 } => ErrorClass.Authentication,
        { Status: 404 } => ErrorClass.NotFound,
        { Status: 408 or 504 } => ErrorClass.Timeout,
        { Status: 429 } => ErrorClass.RateLimit,
        { Status: >= 500 } => ErrorClass.InternalServer,
        _ => ErrorClass.BadRequest,
    };

    /// <summary>
    /// Retries this class of error gets: <c>retry_policy</c> when it names the class, else
    /// <c>num_retries</c> for transient failures (timeouts, 429, 5xx, and auth errors while another
    /// deployment is healthy) and none for the caller's own mistakes (400, context window, content
    /// policy) or a missing model.
    /// </summary>
    public static int Allowed(ErrorClass kind, RetryPolicy policy, int numRetries, bool otherHealthy) => kind switch
    {
        ErrorClass.BadRequest => policy.BadRequest ?? 0,
        ErrorClass.ContextWindow => 0,
        ErrorClass.ContentPolicy => policy.ContentPolicyViolation ?? 0,
        ErrorClass.NotFound => 0,
        ErrorClass.Authentication => policy.Authentication ?? (otherHealthy ? numRetries : 0),
        ErrorClass.Timeout => policy.Timeout ?? numRetries,
        ErrorClass.RateLimit => policy.RateLimit ?? numRetries,
        _ => policy.InternalServerError ?? numRetries,
    };

    /// <summary>
    /// The wait before retry number <paramref name="retry"/> (0-based) when no other deployment is
    /// healthy: the upstream's Retry-After (up to a minute; below <see cref="MinDelaySeconds"/> it gets
    /// that floor with jitter), else 0.5 s doubling to 8 s with up to 25% jitter off — never less than
    /// <c>retry_after</c>.
    /// </summary>
    public static TimeSpan Backoff(int retry, GatewayError error, TimeSpan minimum)
    {
        double seconds;
        if (error.RetryAfterSeconds is int header and >= 0 and <= 60)
            seconds = header >= MinDelaySeconds ? header : MinDelaySeconds * (1 + 0.5 * Random.Shared.NextDouble());
        else
            seconds = Math.Min(InitialDelaySeconds * Math.Pow(2, retry), MaxDelaySeconds) * (1 - 0.25 * Random.Shared.NextDouble());
        var wait = TimeSpan.FromSeconds(seconds);
        return wait < minimum ? minimum : wait;
    }

    /// <summary>
    /// Whether a retry that must wait (no other deployment left) is worth holding the client for:
    /// an upstream asking for longer than the longest backoff is answered at once, its Retry-After
    /// passed on, rather than holding the connection open.
    /// </summary>
    public static bool WorthWaiting(GatewayError error) => error.RetryAfterSeconds is not int header || header <= MaxDelaySeconds;

    /// <summary>Fallbacks are for the deployment's failures; a malformed request would fail anywhere.</summary>
    public static bool FallsBack(ErrorClass kind) => kind != ErrorClass.BadRequest;
}

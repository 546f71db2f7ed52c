namespace EdgeGw.Api;

/// <summary>
/// <c>litellm_settings.request_timeout</c> (or the request's own <c>timeout</c>/<c>request_timeout</c>/<c>x-litellm-timeout</c>) as a bound on the whole request — every retry, backoff and
/// fallback — until its answer starts. A started answer is never cut by it (the per-deployment
/// <c>stream_timeout</c> guards streams).
/// </summary>
internal sealed class RequestDeadline : IDisposable
{
    private readonly CancellationTokenSource _cancel;
    private readonly ITimer _timer;
    private readonly HttpContext _context;
    private readonly TimeSpan _after;
    private readonly string _source;

    private RequestDeadline(HttpContext context, TimeProvider time, TimeSpan after, string source)
    {
        _context = context;
        _after = after;
        _source = source;
        _cancel = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        _timer = time.CreateTimer(static s => ((RequestDeadline)s!).Fire(), this, after, Timeout.InfiniteTimeSpan);
    }

    /// <param name="source">Where the bound came from, named in the 504.</param>
    public static RequestDeadline? Start(HttpContext context, TimeProvider time, TimeSpan? after, string source) =>
        after is { } limit ? new RequestDeadline(context, time, limit, source) : null;

    public CancellationToken Token => _cancel.Token;
    public bool TimedOut { get; private set; }

    private void Fire()
    {
        if (_context.Response.HasStarted)
            return;
        TimedOut = true;
        try
        {
            _cancel.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The request finished as the timer fired.
        }
    }

    public GatewayError Error() => new(504,
        $"Request timed out after {_after.TotalSeconds:0.###}s ({_source}), across retries and fallbacks",
        "timeout", "504");

    public void Dispose()
    {
        _timer.Dispose();
        _cancel.Dispose();
    }
}

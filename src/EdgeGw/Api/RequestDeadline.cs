namespace EdgeGw.Api;

/// <summary>
/// The cancellation of a model request's upstream work. <c>litellm_settings.request_timeout</c> (or
/// the request's own <c>timeout</c>/<c>request_timeout</c>/<c>x-litellm-timeout</c>) bounds the whole
/// request — every retry, backoff and fallback — until its answer starts; a started answer is never
/// cut by it (the per-deployment <c>stream_timeout</c> guards streams). The client's disconnect does
/// not cancel it: an upstream call already made is finished and billed, as the provider bills it
/// (otherwise leaving just before the answer made a request free). Only the end of a graceful
/// shutdown's drain, which aborts every connection, cancels it too.
/// </summary>
internal sealed class RequestDeadline : IDisposable
{
    private readonly CancellationTokenSource _cancel = new();
    private readonly ITimer? _timer;
    private readonly HttpContext _context;
    private readonly TimeSpan? _after;
    private readonly string _source;
    private readonly CancellationToken _stopping;
    private readonly CancellationTokenRegistration _aborted;

    private RequestDeadline(HttpContext context, TimeProvider time, TimeSpan? after, string source, CancellationToken stopping)
    {
        _context = context;
        _after = after;
        _source = source;
        _stopping = stopping;
        _aborted = context.RequestAborted.UnsafeRegister(static s => ((RequestDeadline)s!).Aborted(), this);
        if (after is { } limit)
            _timer = time.CreateTimer(static s => ((RequestDeadline)s!).Fire(), this, limit, Timeout.InfiniteTimeSpan);
    }

    /// <param name="after">The bound; null for none (the request still gets its shutdown cancellation).</param>
    /// <param name="source">Where the bound came from, named in the 504.</param>
    /// <param name="stopping">The host's ApplicationStopping; a cancelled token (no host) makes a disconnect cancel.</param>
    public static RequestDeadline Start(HttpContext context, TimeProvider time, TimeSpan? after, string source, CancellationToken stopping) =>
        new(context, time, after, source, stopping);

    public CancellationToken Token => _cancel.Token;
    public bool TimedOut { get; private set; }

    private void Fire()
    {
        if (_context.Response.HasStarted)
            return;
        TimedOut = true;
        Cancel();
    }

    // A connection aborted while the host stops is the drain's end; before that it is the client leaving.
    private void Aborted()
    {
        if (_stopping.IsCancellationRequested)
            Cancel();
    }

    private void Cancel()
    {
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
        $"Request timed out after {_after.GetValueOrDefault().TotalSeconds:0.###}s ({_source}), across retries and fallbacks",
        "timeout", "504");

    public void Dispose()
    {
        _aborted.Dispose();
        _timer?.Dispose();
        _cancel.Dispose();
    }
}

using EdgeGw.Buffers;

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
/// <remarks>
/// Pooled (with its source and registrations, ≈ 300 B a request) when it has no timer: a timer's
/// callback can still run after <see cref="ITimer.Dispose"/>, and must never reach a reused deadline.
/// </remarks>
internal sealed class RequestDeadline : IDisposable
{
    private static readonly SlotPool<RequestDeadline> Pool = new(SlotPool.RequestsInFlight);

    private readonly CancellationTokenSource _cancel = new();
    private ITimer? _timer;
    private HttpContext? _context;
    private TimeSpan? _after;
    private string _source = "";
    private CancellationToken _stopping;
    private CancellationTokenRegistration _aborted;

    private RequestDeadline()
    {
    }

    /// <param name="after">The bound; null for none (the request still gets its shutdown cancellation).</param>
    /// <param name="source">Where the bound came from, named in the 504.</param>
    /// <param name="stopping">The host's ApplicationStopping; a cancelled token (no host) makes a disconnect cancel.</param>
    public static RequestDeadline Start(HttpContext context, TimeProvider time, TimeSpan? after, string source, CancellationToken stopping)
    {
        var deadline = after is null ? Pool.TryRent() ?? new RequestDeadline() : new RequestDeadline();
        deadline._context = context;
        deadline._after = after;
        deadline._source = source;
        deadline._stopping = stopping;
        deadline.TimedOut = false;
        deadline._aborted = context.RequestAborted.UnsafeRegister(static s => ((RequestDeadline)s!).Aborted(), deadline);
        if (after is { } limit)
            deadline._timer = time.CreateTimer(static s => ((RequestDeadline)s!).Fire(), deadline, limit, Timeout.InfiniteTimeSpan);
        return deadline;
    }

    public CancellationToken Token => _cancel.Token;
    public bool TimedOut { get; private set; }

    private void Fire()
    {
        if (_context is null || _context.Response.HasStarted)
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
        if (_context is null)
            return; // disposed already: returning it twice would hand one deadline to two requests
        // Waits for an abort callback already running, so none reaches the deadline once it is reused.
        _aborted.Dispose();
        _aborted = default;
        _context = null;
        if (_timer is null && _cancel.TryReset())
        {
            Pool.Return(this);
            return;
        }
        _timer?.Dispose();
        _cancel.Dispose();
    }
}

using EdgeGw.Buffers;

namespace EdgeGw.Upstream;

/// <summary>
/// One upstream attempt's cancellation: the request's token, plus the attempt's own timeout
/// (<c>CancelAfter</c>, set by the send). Used as <c>CancellationTokenSource.CreateLinkedTokenSource</c>
/// was, but pooled: a linked source, its timer and its registrations cost ≈ 300 B a request
/// (README, Load: "What each change bought"). Disposing it returns it to the pool when
/// <see cref="CancellationTokenSource.TryReset"/> allows — never after it was cancelled or its timer fired —
/// and disposes it for real otherwise.
/// </summary>
internal sealed class AttemptTimeout : CancellationTokenSource
{
    // A miss only allocates, as before.
    private static readonly SlotPool<AttemptTimeout> Pool = new(SlotPool.RequestsInFlight);

    private CancellationTokenRegistration _parent;
    private bool _rented;

    private AttemptTimeout()
    {
    }

    /// <summary>A source cancelled when <paramref name="parent"/> is, or by its own timeout.</summary>
    public static AttemptTimeout Link(CancellationToken parent)
    {
        var timeout = Pool.TryRent() ?? new AttemptTimeout();
        timeout._rented = true;
        // Registration runs the callback at once when the parent is already cancelled, as a linked source would.
        timeout._parent = parent.UnsafeRegister(static s => ((AttemptTimeout)s!).CancelQuietly(), timeout);
        return timeout;
    }

    private void CancelQuietly()
    {
        try
        {
            Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Disposed for real while the parent's cancellation ran: nothing left to cancel.
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && _rented)
        {
            _rented = false;
            // Waits for a parent callback already running, so none can reach the source once it is reused.
            _parent.Dispose();
            _parent = default;
            if (TryReset())
            {
                Pool.Return(this);
                return;
            }
        }
        base.Dispose(disposing);
    }
}

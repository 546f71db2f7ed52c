using EdgeGw.Buffers;

namespace EdgeGw.Upstream;

/// <summary>
/// One upstream call's cancellation: the request's token, plus the call's own limit (the sender's <c>CancelAfter</c>).
/// A linked source per call cost ~300 B a request (the source, its timer, the registration of the answer's read);
/// a source that never fired is reset and reused with its timer and registration nodes (<see cref="CancellationTokenSource.TryReset"/>).
/// Disposing gives it back: nothing may keep its token past the call.
/// </summary>
internal readonly struct CallCancellation : IDisposable
{
    private static readonly SlotPool<CancellationTokenSource> Pool = new(256);
    private readonly CancellationTokenRegistration _link;

    private CallCancellation(CancellationTokenSource source, CancellationTokenRegistration link)
    {
        Source = source;
        _link = link;
    }

    public CancellationTokenSource Source { get; }

    /// <summary>A source cancelled with <paramref name="request"/> (at once if it already is).</summary>
    public static CallCancellation Link(CancellationToken request)
    {
        var source = Pool.TryRent() ?? new CancellationTokenSource();
        return new(source, request.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), source));
    }

    public void Dispose()
    {
        _link.Dispose(); // waits for a cancellation running now: none reaches the source once it is back in the pool
        if (Source.TryReset())
            Pool.Return(Source);
        else
            Source.Dispose();
    }
}

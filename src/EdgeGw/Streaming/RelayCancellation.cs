namespace EdgeGw.Streaming;

/// <summary>
/// A relayed stream's two clocks. Upstream reads end at <c>stream_timeout</c> or when the request
/// is cancelled for any reason but the client leaving — so a stream the client abandoned can still
/// be read to its usage. Client writes end when one waits past the write timeout (a stalled reader).
/// </summary>
internal sealed class RelayCancellation : IDisposable
{
    private readonly CancellationTokenSource _reads = new();
    private readonly CancellationTokenSource _writes = new();
    private readonly CancellationToken _client;
    private readonly CancellationTokenRegistration _forward;

    /// <param name="request">The adapter's token: the client's disconnect, the request deadline, shutdown.</param>
    /// <param name="client">The client's disconnect alone.</param>
    public RelayCancellation(CancellationTokenSource request, CancellationToken client)
    {
        _client = client;
        request.CancelAfter(Timeout.InfiniteTimeSpan); // the send's timer: reads are timed here from now on
        _forward = request.Token.UnsafeRegister(static s => ((RelayCancellation)s!).RequestCancelled(), this);
    }

    /// <summary>The token for one upstream read, cancelled after <paramref name="limit"/>.</summary>
    public CancellationToken Read(TimeSpan limit)
    {
        _reads.CancelAfter(limit);
        return _reads.Token;
    }

    /// <summary>The token for one flush to the client, cancelled after <paramref name="limit"/>; <see cref="Wrote"/> disarms it.</summary>
    public CancellationToken Write(TimeSpan limit)
    {
        _writes.CancelAfter(limit);
        return _writes.Token;
    }

    public void Wrote() => _writes.CancelAfter(Timeout.InfiniteTimeSpan);

    public bool WriteTimedOut => _writes.IsCancellationRequested;

    // The client's own disconnect cancels the request too (linked tokens); only other causes stop the reads.
    private void RequestCancelled()
    {
        if (!_client.IsCancellationRequested)
            _reads.Cancel();
    }

    public void Dispose()
    {
        _forward.Dispose();
        _reads.Dispose();
        _writes.Dispose();
    }
}

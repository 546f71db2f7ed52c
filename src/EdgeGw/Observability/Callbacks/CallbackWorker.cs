using Microsoft.Extensions.Logging;

namespace EdgeGw.Observability.Callbacks;

/// <summary>
/// One destination's queue and the background loop that empties it: a batch goes when it is full
/// or the flush interval passes, is retried with doubling back-off, then given up (counted as
/// dropped). The request path only calls <see cref="Enqueue"/>: a lock, a struct copy, no await.
/// </summary>
internal sealed partial class CallbackWorker : IAsyncDisposable
{
    private readonly ICallbackDestination _destination;
    private readonly CallbackOptions _options;
    private readonly ILogger _log;
    private readonly CallbackQueue _queue;
    private readonly SemaphoreSlim _wake = new(0, 1);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private int _wakePending;
    private long _droppedLogged;
    private long _nextDropLog;
    private string? _lastFailure;

    public CallbackWorker(ICallbackDestination destination, CallbackOptions options, ILogger log)
    {
        _destination = destination;
        _options = options;
        _log = log;
        _queue = new CallbackQueue(options.QueueCapacity);
        _loop = Api.InlineIo.Run(RunAsync);
    }

    public string Name => _destination.Name;
    public long Dropped => _queue.Dropped;
    public int Queued => _queue.Count;

    public void Enqueue(in CallbackEvent item)
    {
        if (_queue.Enqueue(item) >= _options.BatchSize && Interlocked.Exchange(ref _wakePending, 1) == 0)
            _wake.Release();
    }

    private async Task RunAsync()
    {
        var batch = new CallbackEvent[_options.BatchSize];
        var cancel = _stop.Token;
        while (!cancel.IsCancellationRequested)
        {
            try
            {
                await _wake.WaitAsync(_options.FlushInterval, cancel).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            Volatile.Write(ref _wakePending, 0);
            await SendQueuedAsync(batch, cancel).ConfigureAwait(false);
            LogDrops();
        }
    }

    private async Task SendQueuedAsync(CallbackEvent[] batch, CancellationToken cancel)
    {
        // Bounded: at most one queue's worth per wake, so newer events wait for the next round.
        for (var rounds = _queue.Capacity / batch.Length + 1; rounds > 0 && !cancel.IsCancellationRequested; rounds--)
        {
            var n = _queue.Drain(batch);
            if (n == 0)
                return;
            await SendWithRetriesAsync(batch.AsMemory(0, n), cancel).ConfigureAwait(false);
            Array.Clear(batch, 0, n);
        }
    }

    private async Task SendWithRetriesAsync(ReadOnlyMemory<CallbackEvent> batch, CancellationToken cancel)
    {
        var wait = _options.FirstRetry;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await _destination.SendAsync(batch, cancel).ConfigureAwait(false);
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancel.IsCancellationRequested)
            {
                if (attempt >= _options.MaxAttempts)
                {
                    // Reported in the rate-limited drop line, not per batch: an outage must not flood the log.
                    _queue.CountDropped(batch.Length);
                    _lastFailure = e.Message;
                    LogDrops();
                    return;
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }
            try
            {
                await Task.Delay(wait, cancel).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            wait = wait * 2 > _options.LongestRetry ? _options.LongestRetry : wait * 2;
        }
    }

    private void LogDrops()
    {
        var dropped = _queue.Dropped;
        var now = Environment.TickCount64;
        if (dropped == _droppedLogged || now < _nextDropLog)
            return;
        LogDropped(_log, _destination.Name, dropped - _droppedLogged, dropped, _lastFailure ?? "the queue was full");
        _droppedLogged = dropped;
        _lastFailure = null;
        _nextDropLog = now + (long)_options.DropLogInterval.TotalMilliseconds;
    }

    /// <summary>Stops the loop after one last bounded attempt at what is queued.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        using var last = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        var batch = new CallbackEvent[_options.BatchSize];
        var n = _queue.Drain(batch);
        if (n > 0)
        {
            try
            {
                await _destination.SendAsync(batch.AsMemory(0, n), last.Token).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                LogGaveUp(_log, _destination.Name, n, 1, e.Message);
            }
        }
        _stop.Dispose();
        _wake.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "callback {Callback}: gave up on {Events} events after {Attempts} attempts: {Reason}")]
    private static partial void LogGaveUp(ILogger log, string callback, int events, int attempts, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "callback {Callback}: {Events} events dropped since the last report ({Total} in all): the destination is down or slower than the traffic; last error: {Reason}")]
    private static partial void LogDropped(ILogger log, string callback, long events, long total, string reason);
}

namespace EdgeGw.Storage;

/// <summary>
/// Reloads of the database models that other replicas' changes (<c>model:&lt;id&gt;</c>) and reconnects ask for.
/// A burst coalesces into one reload in flight and at most one pending: the pending one reads the table
/// after every request it stands for, so nothing is missed and a hundred changes cost two reloads.
/// </summary>
internal sealed partial class ModelReloads(ILogger logger) : IAsyncDisposable
{
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _stop = new();
    private Func<CancellationToken, Task>? _reload;
    private Task _running = Task.CompletedTask;
    // 0 idle, 1 a reload running, 2 running with one more pending.
    private int _state;
    private long _requests;
    private bool _stopped;

    /// <summary>How many reloads were asked for so far: taken before the runtime's own first load (see <see cref="Attach"/>).</summary>
    public long Mark()
    {
        lock (_gate)
            return _requests;
    }

    /// <summary>Sends reloads to <paramref name="reload"/>; one asked for after <paramref name="mark"/> but before this runs at once, as the first load may have missed it.</summary>
    public void Attach(Func<CancellationToken, Task> reload, long mark)
    {
        lock (_gate)
        {
            _reload = reload;
            if (_requests != mark)
                StartLocked();
        }
    }

    /// <summary>Asks for a reload without waiting for it (the caller is a change listener that must keep reading).</summary>
    public void Request()
    {
        lock (_gate)
        {
            _requests++;
            if (_reload is not null)
                StartLocked();
        }
    }

    /// <summary>No reload running or pending: every change heard so far is being served.</summary>
    public bool Idle => Volatile.Read(ref _state) == 0;

    private void StartLocked()
    {
        if (_stopped || _state == 2)
            return;
        if (_state++ == 0)
            _running = Api.InlineIo.Run(RunAsync);
    }

    private async Task RunAsync()
    {
        // Bounded: each pass consumes the one pending request, and a new one is only added by a change heard meanwhile.
        while (true)
        {
            try
            {
                await _reload!(_stop.Token);
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // The models served stay as they were; the next change or reconnect reloads again.
                LogReloadFailed(logger, e is StoreException or StoreUnavailableException ? e.Message : e.GetType().Name);
            }
            lock (_gate)
            {
                if (--_state == 0 || _stopped)
                    return;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        Task running;
        lock (_gate)
        {
            _stopped = true;
            running = _running;
        }
        await _stop.CancelAsync();
        await running;
        _stop.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "models: reloading database models after another replica's change failed ({Reason}); the next change or reconnect reloads them")]
    private static partial void LogReloadFailed(ILogger logger, string reason);
}

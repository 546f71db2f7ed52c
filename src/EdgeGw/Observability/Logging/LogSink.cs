using System.Text;

namespace EdgeGw.Observability.Logging;

/// <summary>
/// Where formatted log lines go: requests copy their line into a shared buffer under a short lock,
/// and one background thread writes whatever gathered with a single write. The console logger's
/// write-and-flush per line cost ≈ 25% of throughput at 32 connections (load/ runs, README).
/// A stalled stdout never blocks a request: past <see cref="MaxPendingBytes"/> lines are dropped
/// and counted, and the count is written once stdout drains.
/// </summary>
internal sealed class LogSink : IDisposable
{
    public const int MaxPendingBytes = 8 << 20;
    // After a write, let the next lines gather: under load one write carries hundreds of lines.
    private static readonly TimeSpan GatherWindow = TimeSpan.FromMilliseconds(5);

    private readonly Stream _output;
    private readonly object _gate = new(); // Monitor.Wait/Pulse: the writer sleeps until a line arrives
    private readonly Thread _thread;
    private MemoryStream _pending = new(64 * 1024);
    private MemoryStream _writing = new(64 * 1024);
    private long _dropped;
    private bool _stopping;

    public LogSink(Stream output)
    {
        _output = output;
        _thread = new Thread(Run) { IsBackground = true, Name = "edgegw log writer" };
        _thread.Start();
    }

    /// <summary>Lines dropped because stdout did not keep up.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    public void Append(ReadOnlySpan<byte> line)
    {
        lock (_gate)
        {
            if (_stopping || _pending.Length + line.Length > MaxPendingBytes)
            {
                _dropped++;
                return;
            }
            var wasEmpty = _pending.Length == 0;
            _pending.Write(line);
            if (wasEmpty)
                Monitor.Pulse(_gate);
        }
    }

    private void Run()
    {
        long reportedDrops = 0;
        while (true)
        {
            long dropped;
            lock (_gate)
            {
                while (_pending.Length == 0 && !_stopping)
                    Monitor.Wait(_gate);
                if (_pending.Length == 0 && _stopping)
                    return;
                (_pending, _writing) = (_writing, _pending);
                dropped = _dropped;
            }
            try
            {
                if (dropped != reportedDrops)
                {
                    _output.Write(Encoding.UTF8.GetBytes($"edgegw: {dropped - reportedDrops} log lines dropped: stdout did not keep up\n"));
                    reportedDrops = dropped;
                }
                _output.Write(_writing.GetBuffer().AsSpan(0, (int)_writing.Length));
                _output.Flush();
            }
            catch (IOException)
            {
                // stdout closed (a pipe's reader went away): logging must not take the process down.
            }
            _writing.SetLength(0);
            if (!Volatile.Read(ref _stopping))
                Thread.Sleep(GatherWindow);
        }
    }

    /// <summary>Writes what is pending and stops the writer.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_stopping)
                return;
            _stopping = true;
            Monitor.Pulse(_gate);
        }
        _thread.Join(TimeSpan.FromSeconds(5));
    }
}

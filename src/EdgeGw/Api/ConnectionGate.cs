using Microsoft.AspNetCore.Connections;

namespace EdgeGw.Api;

/// <summary>
/// The first thing a connection meets. It caps open connections; at the cap a new connection takes
/// the place of the oldest one that has sent nothing yet, so a flood of silent sockets cannot lock
/// real clients out until the headers timeout frees room (Kestrel's own cap would refuse them). It
/// also closes a connection that sends nothing within the request-headers timeout: Kestrel starts
/// that timeout only at the first byte, and holds a silent connection for the keep-alive timeout.
/// </summary>
internal sealed class ConnectionGate(long maxConnections, TimeSpan firstByteTimeout)
{
    private readonly Lock _lock = new();
    private readonly LinkedList<Entry> _silent = new(); // oldest first
    private long _open;
    private long _evicted;

    /// <summary>Connections closed to make room for a newer one (observable by tests).</summary>
    public long Evicted => Interlocked.Read(ref _evicted);

    public Func<ConnectionDelegate, ConnectionDelegate> Middleware => next => connection => RunAsync(next, connection);

    private async Task RunAsync(ConnectionDelegate next, ConnectionContext connection)
    {
        var entry = Enter(connection);
        if (entry is null)
        {
            connection.Abort(new ConnectionAbortedException("connection limit reached and no connection is silent"));
            return;
        }
        try
        {
            if (!await FirstBytesAsync(connection))
                return;
            Spoke(entry);
            await next(connection);
        }
        finally
        {
            Leave(entry);
        }
    }

    /// <summary>Counts a connection in as silent; at the cap evicts the oldest silent one, or refuses (null) when none is.</summary>
    private Entry? Enter(ConnectionContext connection)
    {
        Entry? victim = null;
        var entry = new Entry(connection);
        lock (_lock)
        {
            if (_open >= maxConnections)
            {
                if (_silent.First is not { } oldest)
                    return null;
                victim = oldest.Value;
                Uncount(victim);
            }
            _open++;
            entry.Node = _silent.AddLast(entry);
        }
        if (victim is not null)
        {
            Interlocked.Increment(ref _evicted);
            victim.Connection.Abort(new ConnectionAbortedException("closed to make room: it sent nothing while the connection limit was reached"));
        }
        return entry;
    }

    private void Spoke(Entry entry)
    {
        lock (_lock)
        {
            if (entry.Node is { } node)
                _silent.Remove(node);
            entry.Node = null;
        }
    }

    private void Leave(Entry entry)
    {
        lock (_lock)
            Uncount(entry);
    }

    private void Uncount(Entry entry)
    {
        if (entry.Node is { } node)
            _silent.Remove(node);
        entry.Node = null;
        if (entry.Counted)
            _open--;
        entry.Counted = false;
    }

    /// <summary>One open connection; guarded by the gate's lock.</summary>
    private sealed class Entry(ConnectionContext connection)
    {
        public ConnectionContext Connection { get; } = connection;
        public LinkedListNode<Entry>? Node { get; set; }
        public bool Counted { get; set; } = true;
    }

    /// <summary>True once bytes arrived (left unread for Kestrel); false when the connection ended or stayed silent too long.</summary>
    private async Task<bool> FirstBytesAsync(ConnectionContext connection)
    {
        using var silent = new CancellationTokenSource(firstByteTimeout);
        try
        {
            var result = await connection.Transport.Input.ReadAsync(silent.Token);
            // Examined nothing: Kestrel's own first read sees the same bytes.
            connection.Transport.Input.AdvanceTo(result.Buffer.Start);
            return !(result.IsCompleted && result.Buffer.IsEmpty);
        }
        catch (OperationCanceledException)
        {
            connection.Abort(new ConnectionAbortedException("no request within the request headers timeout"));
            return false;
        }
        catch (Exception e) when (e is ConnectionAbortedException or ConnectionResetException or IOException)
        {
            return false; // evicted, or the client reset it
        }
    }
}

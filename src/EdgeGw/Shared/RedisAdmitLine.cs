using System.Buffers;
using System.Buffers.Text;
using System.Net.Sockets;
using System.Text;
using EdgeGw.Config;
using StackExchange.Redis;

namespace EdgeGw.Shared;

/// <summary>
/// A connection of its own for the one Redis call a request waits for, the admission script. The
/// request's thread writes the <c>EVALSHA</c> (one <c>send</c>), and the reply's read resumes the
/// request directly: one wake-up, where StackExchange.Redis's writer loop, reader loop and
/// asynchronous completion cost three to four (README "Replicas"). Calls are pipelined in order on
/// the one socket. Only for a lone server over plain TCP: TLS, Cluster and Sentinel, settlement and
/// everything else stay on StackExchange.Redis, which also carries admission while this line is down.
/// Settlement goes out here too, as a Redis 7 function called with its reply skipped (<c>CLIENT REPLY SKIP</c>):
/// nothing comes back, so nothing wakes the gateway for it. The function is loaded on every (re)connect and, unlike
/// a cached script, survives SCRIPT FLUSH, so a call cannot meet a silent NOSCRIPT.
/// </summary>
internal sealed class RedisAdmitLine : IAsyncDisposable
{
    private static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(1);
    private const int ReadBuffer = 16 * 1024;
    // The next command's reply is not sent (Redis 3.2+); written in the same write as that command.
    private static ReadOnlySpan<byte> ClientReplySkip => "*3\r\n$6\r\nCLIENT\r\n$5\r\nREPLY\r\n$4\r\nSKIP\r\n"u8;

    private readonly RedisSettings _settings;
    private readonly RedisScript[] _unread;
    private readonly Lock _send = new();
    private readonly Queue<TaskCompletionSource<long[]>> _pending = new();
    [ThreadStatic] private static ArrayBufferWriter<byte>? t_command;
    private Socket? _socket; // null while down: one chain of connect attempts runs, from start or from the break
    private bool _functions; // the connected server took _unread as functions (Redis 7+): they may be called unread
    private long _answered;
    private long _unanswered;
    private bool _disposed;

    private RedisAdmitLine(RedisSettings settings, RedisScript[] unread) => (_settings, _unread) = (settings, unread);

    /// <summary>
    /// The line for a lone plain-TCP server, connecting in the background; null for any other topology,
    /// or with <c>EDGEGW_REDIS_ADMIT_LINE=0</c> (everything on StackExchange.Redis, as before the line).
    /// <paramref name="unread"/> are loaded as functions on each connect, to be called without a reply
    /// (<c>EDGEGW_REDIS_SETTLE_UNREAD=0</c>: not loaded, every call read).
    /// </summary>
    public static RedisAdmitLine? For(RedisSettings settings, params RedisScript[] unread)
    {
        settings = RedisSettingsUrl.Resolve(settings, settings.Source);
        if (Environment.GetEnvironmentVariable("EDGEGW_REDIS_ADMIT_LINE") == "0" || settings.Ssl || !settings.ClusterNodes.IsEmpty || RedisOptions.IsSentinel(settings) || settings.Host is null)
            return null;
        var line = new RedisAdmitLine(settings, Environment.GetEnvironmentVariable("EDGEGW_REDIS_SETTLE_UNREAD") == "0" ? [] : unread);
        _ = Task.Run(line.ConnectAsync);
        return line;
    }

    /// <summary>Admission calls answered over this line (observable by tests).</summary>
    public long Answered => Interlocked.Read(ref _answered);

    /// <summary>Calls sent with their reply skipped (observable by tests).</summary>
    public long Unanswered => Interlocked.Read(ref _unanswered);

    /// <summary>
    /// Runs the script by its SHA1. Null when the line is down: the caller uses StackExchange.Redis.
    /// </summary>
    /// <exception cref="RedisReplyException">Redis answered with an error (NOSCRIPT included).</exception>
    /// <exception cref="IOException">The connection broke after the call was sent: it may have run.</exception>
    public Task<long[]>? TryEvalSha(ReadOnlySpan<byte> sha1Hex, RedisKey[] keys, RedisValue[] values)
    {
        if (Volatile.Read(ref _socket) is null)
            return null;
        var command = Command("EVALSHA"u8, sha1Hex, keys, values, skipReply: false);
        // Synchronous continuations: the reply's reader resumes the request on its own thread.
        var call = new TaskCompletionSource<long[]>();
        // A break while sending fails the call with the others in flight (it may have run).
        return TrySend(command.WrittenSpan, call, out _) ? call.Task : null;
    }

    /// <summary>
    /// Calls <paramref name="script"/>'s function with its reply skipped; false (nothing sent) when the line is down or
    /// the server has no functions. Redis answers nothing, so the replies of the calls around it stay in step.
    /// </summary>
    /// <exception cref="IOException">The connection broke while sending: the call may or may not have run.</exception>
    public bool TryCallUnread(RedisScript script, RedisKey[] keys, RedisValue[] values)
    {
        if (!Volatile.Read(ref _functions))
            return false;
        var command = Command("FCALL"u8, script.FunctionName, keys, values, skipReply: true);
        if (!TrySend(command.WrittenSpan, reply: null, out var cause))
            return false;
        if (cause is not null)
            throw new IOException("the admission connection to Redis broke", cause);
        Interlocked.Increment(ref _unanswered);
        return true;
    }

    /// <summary>
    /// Writes one command whole under the send lock, its reply's caller (null: no reply, functions only) queued in
    /// the same order. False when the line is down (nothing sent); a break while writing comes back as <paramref name="cause"/>.
    /// </summary>
    private bool TrySend(ReadOnlySpan<byte> bytes, TaskCompletionSource<long[]>? reply, out Exception? cause)
    {
        Socket? broken = null;
        cause = null;
        lock (_send)
        {
            if (_socket is not { } socket || (reply is null && !_functions))
                return false;
            if (reply is not null)
                _pending.Enqueue(reply);
            try
            {
                while (bytes.Length > 0)
                    bytes = bytes[socket.Send(bytes)..];
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                (broken, cause) = (socket, e);
            }
        }
        if (broken is not null)
            Break(broken, cause!);
        return true;
    }

    // EVALSHA sha|FCALL name, numkeys, keys, values — after CLIENT REPLY SKIP when no reply is wanted (one write, in order).
    private static ArrayBufferWriter<byte> Command(ReadOnlySpan<byte> verb, ReadOnlySpan<byte> name, RedisKey[] keys, RedisValue[] values, bool skipReply)
    {
        var command = t_command ??= new ArrayBufferWriter<byte>(512);
        command.ResetWrittenCount();
        if (skipReply)
            command.Write(ClientReplySkip);
        Header(command, '*', 3 + keys.Length + values.Length);
        Bulk(command, verb);
        Bulk(command, name);
        Number(command, keys.Length);
        foreach (var key in keys)
            Text(command, (string?)key ?? "");
        foreach (var value in values)
        {
            if (value.IsInteger && value.TryParse(out long number))
                Number(command, number);
            else
                Text(command, (string?)value ?? "");
        }
        return command;
    }

    private async Task ConnectAsync()
    {
        Socket? socket = null;
        try
        {
            socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            using (var connect = new CancellationTokenSource(_settings.Timeout * 4))
                await socket.ConnectAsync(_settings.Host!, _settings.Port, connect.Token).ConfigureAwait(false);
            var functions = await HandshakeAsync(socket).ConfigureAwait(false);
            lock (_send)
            {
                if (_disposed)
                {
                    socket.Dispose();
                    return;
                }
                _socket = socket;
                _functions = functions;
            }
            _ = ReadAsync(socket);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or IOException or InvalidDataException or RedisReplyException)
        {
            socket?.Dispose();
            RetryLater();
        }
    }

    // Down: StackExchange.Redis carries admission meanwhile; the line tries again each second, as that client's reconnects do.
    private void RetryLater()
    {
        if (!_disposed)
            _ = Task.Delay(RetryAfter).ContinueWith(static (_, line) => ((RedisAdmitLine)line!).ConnectAsync(), this, TaskScheduler.Default);
    }

    // AUTH and SELECT as the settings ask, a name operators can find in CLIENT LIST, and the functions to call unread.
    // True when the server took every function (a server before Redis 7 answers FUNCTION with an error: calls are read).
    private async Task<bool> HandshakeAsync(Socket socket)
    {
        var command = new ArrayBufferWriter<byte>(256);
        var fatal = 0; // the first replies (AUTH, SELECT) end the handshake on an error
        if (_settings.Password is { } password)
        {
            var user = _settings.Username;
            Header(command, '*', user is null ? 2 : 3);
            Bulk(command, "AUTH"u8);
            if (user is not null)
                Text(command, user);
            Text(command, password);
            fatal++;
        }
        if (_settings.Database is { } db and not 0)
        {
            Header(command, '*', 2);
            Bulk(command, "SELECT"u8);
            Number(command, db);
            fatal++;
        }
        Header(command, '*', 3);
        Bulk(command, "CLIENT"u8);
        Bulk(command, "SETNAME"u8);
        Bulk(command, "edgegw-admit"u8);
        foreach (var script in _unread)
        {
            Header(command, '*', 3);
            Bulk(command, "FUNCTION"u8);
            Bulk(command, "LOAD"u8);
            Text(command, script.Library);
        }
        // Whether the server (or a proxy before it) honours CLIENT REPLY SKIP: then PING's reply never comes and the
        // first one after the functions' is ECHO's; otherwise an unread call's reply would be taken as the next call's.
        var probe = fatal + 1 + _unread.Length;
        if (_unread.Length > 0)
        {
            command.Write(ClientReplySkip);
            command.Write("*1\r\n$4\r\nPING\r\n*2\r\n$4\r\nECHO\r\n$6\r\nskips?\r\n"u8);
        }
        await socket.SendAsync(command.WrittenMemory).ConfigureAwait(false);
        var buffer = new byte[1024];
        var (start, end) = (0, 0);
        var (reply, replies) = (0, _unread.Length > 0 ? probe + 1 : probe);
        var functions = _unread.Length > 0;
        using var timeout = new CancellationTokenSource(_settings.Timeout * 4);
        while (reply < replies)
        {
            if (RespReply.TryParse(buffer.AsSpan(start, end - start), out var parsed, out var used, bulk: true))
            {
                // The reply never carries the password; the error text is Redis's own (WRONGPASS, NOAUTH…).
                // CLIENT SETNAME's is ignored: a server or proxy that refuses it still runs scripts.
                if (parsed.Error is { } error)
                {
                    if (reply < fatal)
                        throw new RedisReplyException(error);
                    // Loaded by an earlier connection (same name, same body): callable.
                    if (reply > fatal && !error.Contains("already exists", StringComparison.Ordinal))
                        functions = false;
                }
                if (reply == probe && buffer[start] != (byte)'$')
                {
                    // CLIENT REPLY's own answer: skipping is not honoured. PING's and ECHO's follow.
                    functions = false;
                    replies += 2;
                }
                start += used;
                reply++;
                continue;
            }
            if (end == buffer.Length)
                throw new InvalidDataException("handshake replies longer than expected");
            var read = await socket.ReceiveAsync(buffer.AsMemory(end), timeout.Token).ConfigureAwait(false);
            if (read == 0)
                throw new IOException("Redis closed the connection during the handshake");
            end += read;
        }
        return functions;
    }

    private async Task ReadAsync(Socket socket)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(ReadBuffer);
        var (start, end) = (0, 0);
        try
        {
            while (true)
            {
                if (end == buffer.Length)
                {
                    buffer.AsSpan(start, end - start).CopyTo(buffer);
                    (start, end) = (0, end - start);
                    if (end == buffer.Length)
                        throw new InvalidDataException("a reply longer than the read buffer");
                }
                var read = await socket.ReceiveAsync(buffer.AsMemory(end), SocketFlags.None).ConfigureAwait(false);
                if (read == 0)
                    throw new IOException("Redis closed the admission connection");
                end += read;
                // Every whole reply but the last resumes its request on the pool; the last runs here, on the thread the read woke.
                TaskCompletionSource<long[]>? last = null;
                var lastReply = default(RespReply);
                while (RespReply.TryParse(buffer.AsSpan(start, end - start), out var reply, out var used))
                {
                    start += used;
                    TaskCompletionSource<long[]> call;
                    lock (_send)
                        call = _pending.Count > 0 ? _pending.Dequeue() : throw new InvalidDataException("a reply nobody asked for");
                    if (last is not null)
                        ThreadPool.UnsafeQueueUserWorkItem(static s => Complete(s.Call, s.Reply), (Call: last, Reply: lastReply), preferLocal: false);
                    (last, lastReply) = (call, reply);
                    Interlocked.Increment(ref _answered);
                }
                if (last is not null)
                    Complete(last, lastReply);
                if (start == end)
                    (start, end) = (0, 0);
            }
        }
        catch (Exception e) when (e is SocketException or IOException or InvalidDataException or ObjectDisposedException)
        {
            Break(socket, e);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static void Complete(TaskCompletionSource<long[]> call, RespReply reply)
    {
        if (reply.Error is { } error)
            call.TrySetException(new RedisReplyException(error));
        else
            call.TrySetResult(reply.Integers ?? []);
    }

    // Every call in flight may or may not have run: each fails as a broken connection would on StackExchange.Redis.
    // Only the first break of a socket acts: a second (the reader and a sender both failing) must not fail the calls
    // of the connection that replaced it, nor start a second chain of connects.
    private void Break(Socket socket, Exception cause)
    {
        TaskCompletionSource<long[]>[] orphans;
        lock (_send)
        {
            if (!ReferenceEquals(_socket, socket))
                return;
            _socket = null;
            _functions = false;
            orphans = [.. _pending];
            _pending.Clear();
        }
        socket.Dispose();
        var failure = new IOException("the admission connection to Redis broke", cause);
        foreach (var call in orphans)
            call.TrySetException(failure);
        RetryLater();
    }

    public ValueTask DisposeAsync()
    {
        Socket? socket;
        lock (_send)
        {
            _disposed = true;
            socket = _socket;
        }
        if (socket is not null)
            Break(socket, new ObjectDisposedException(nameof(RedisAdmitLine)));
        return ValueTask.CompletedTask;
    }

    private static void Header(ArrayBufferWriter<byte> command, char kind, long count)
    {
        var span = command.GetSpan(24);
        span[0] = (byte)kind;
        Utf8Formatter.TryFormat(count, span[1..], out var written);
        "\r\n"u8.CopyTo(span[(1 + written)..]);
        command.Advance(written + 3);
    }

    private static void Bulk(ArrayBufferWriter<byte> command, ReadOnlySpan<byte> value)
    {
        Header(command, '$', value.Length);
        command.Write(value);
        command.Write("\r\n"u8);
    }

    private static void Number(ArrayBufferWriter<byte> command, long value)
    {
        Span<byte> digits = stackalloc byte[20];
        Utf8Formatter.TryFormat(value, digits, out var written);
        Bulk(command, digits[..written]);
    }

    private static void Text(ArrayBufferWriter<byte> command, string value)
    {
        var length = Encoding.UTF8.GetByteCount(value);
        Header(command, '$', length);
        var span = command.GetSpan(length + 2);
        Encoding.UTF8.GetBytes(value, span);
        "\r\n"u8.CopyTo(span[length..]);
        command.Advance(length + 2);
    }
}

/// <summary>An error reply from Redis (its own text: WRONGPASS, NOSCRIPT, a script's error…).</summary>
internal sealed class RedisReplyException(string message) : Exception(message)
{
    public bool NoScript => Message.StartsWith("NOSCRIPT", StringComparison.Ordinal);
}

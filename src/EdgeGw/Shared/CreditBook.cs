using System.Collections.Concurrent;
using EdgeGw.Limits;
using EdgeGw.Spend;
using StackExchange.Redis;

namespace EdgeGw.Shared;

/// <summary>
/// Admission credits: where a limit has plenty of room, this replica takes a small part of it from Redis ahead of
/// need (<c>Scripts/grant.lua</c>: up to <see cref="Want"/> requests, their tokens and their budget reservations, at most
/// 1/<see cref="Share"/> of what each limit has left) and admits on it locally, without a round trip. Redis counts the
/// whole credit as used from the moment it is granted, so replicas together still never pass a limit; what a credit
/// did not use goes back when it is returned (settle.lua), at most <see cref="Life"/> after its grant, once its
/// requests ended. Near a limit (less than <see cref="Least"/> requests in a share) nothing is granted and every
/// request is admitted in Redis, one script each, as without credits. A parallel limit is never granted.
/// </summary>
internal sealed class CreditBook : IAsyncDisposable
{
    private static readonly RedisScript Grant = RedisScript.Embedded("grant.lua");
    internal const int Want = 64;
    internal const int Least = 4;
    internal const int Share = 16;
    /// <summary>The longest a credit admits; unused room is back in Redis within this plus one sweep.</summary>
    internal static readonly TimeSpan Life = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan SweepEvery = TimeSpan.FromMilliseconds(200);
    // An owner refused a credit is admitted one by one for this long before asking again (a limit near full stays so).
    private static readonly TimeSpan Refused = TimeSpan.FromSeconds(1);

    private readonly SharedLimits _owner;
    private readonly ConcurrentDictionary<string, CreditLine> _lines = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _sweep;
    private long _admitted;
    private long _granted;

    public CreditBook(SharedLimits owner)
    {
        _owner = owner;
        _sweep = Api.InlineIo.Run(() => SweepAsync(_stop.Token));
    }

    /// <summary>Requests admitted on credits (no round trip).</summary>
    public long Admitted => Interlocked.Read(ref _admitted);
    /// <summary>Credits granted by Redis.</summary>
    public long Granted => Interlocked.Read(ref _granted);

    /// <summary>
    /// A hold on this replica's credits for every owner, or null: then the request is admitted in Redis, and an
    /// owner without a credit gets one asked for (in the background, one at a time).
    /// </summary>
    public SharedHold? TryAdmit(int owners, string[] ids, EntityLimits?[] entities, int[] budgetOf, IBudgetCounter[] counters,
        BudgetSlot[] slots, long tokens, long nanos)
    {
        for (var o = 0; o < owners; o++)
        {
            if (entities[o]?.Parallel is not null)
                return null; // a slot is held while the request runs, never granted ahead
        }
        var now = Environment.TickCount64;
        var taken = new Credit[owners];
        var reserved = new long[owners];
        for (var o = 0; o < owners; o++)
        {
            var j = budgetOf[o];
            var counter = j >= 0 ? counters[j] : null;
            var slot = j >= 0 ? slots[j] : default;
            // -1: this request has no budget with this owner (nothing of the credit's nano-USD taken or spent).
            reserved[o] = counter is null ? -1 : nanos;
            var line = Line(ids[o]);
            var credit = line.TryTake(entities[o], counter, slot.MaxNanos, tokens, Math.Max(reserved[o], 0), now, out var ask, out var closed, out var closedNext);
            if (closed is not null)
                Return(closed);
            if (closedNext is not null)
                Return(closedNext);
            if (ask)
                _ = GrantAsync(line, ids[o], entities[o], counter, slot, tokens, nanos);
            if (credit is null)
            {
                for (var back = 0; back < o; back++)
                    taken[back].Refund(tokens, reserved[back]);
                return null;
            }
            taken[o] = credit;
        }
        Interlocked.Increment(ref _admitted);
        return new SharedHold(_owner, taken, reserved, tokens);
    }

    private CreditLine Line(string id)
    {
        while (true)
        {
            var line = _lines.GetOrAdd(id, static (_, book) => new CreditLine(book), this);
            if (!line.Removed)
                return line;
            _lines.TryRemove(new KeyValuePair<string, CreditLine>(id, line));
        }
    }

    private async Task GrantAsync(CreditLine line, string id, EntityLimits? entity, IBudgetCounter? counter, BudgetSlot slot, long tokens, long nanos)
    {
        long k = 0;
        SharedHold? hold = null;
        var unitNanos = counter is null ? 0 : nanos;
        // Breaker open: Redis is treated as away, and requests take the script path, which follows redis_failure_mode.
        if (!_owner.Breaker.IsOpen)
        {
            try
            {
                var (keys, values) = _owner.Arguments(1, tokens, unitNanos, extra: 3);
                _owner.Fill(keys, values, 0, id, entity, counter, slot);
                var extra = SharedLimits.OwnerArg(1);
                values[extra] = Want;
                values[extra + 1] = Least;
                values[extra + 2] = Share;
                // On the admission line, in order with admissions and settlements: a budget's floor never counts a returned credit twice.
                var answer = await Grant.RunAsync(_owner.Line, _owner.Database, keys, values).WaitAsync(_owner.Settings.Timeout).ConfigureAwait(false);
                k = answer[0];
                if (k > 0)
                {
                    // settle.lua's reserved nanos (the lease member's "=nanos") is the whole credit's.
                    values[3] = k * unitNanos;
                    hold = new SharedHold(_owner, keys, values, [entity], [counter is null ? -1 : 0], counter is null ? [] : [counter], counter is null ? [] : [slot], 0, [id]);
                    Interlocked.Increment(ref _granted);
                }
            }
            catch (Exception e) when (e is RedisException or RedisReplyException or IOException or TimeoutException or ObjectDisposedException)
            {
                // Admitted one by one meanwhile; asked again after the back-off. A grant that ran after the timeout is
                // counted in Redis and never used: its room comes back with the rpm/tpm window (its reservation at its lease's end).
                _owner.Failed();
            }
        }
        if (hold is null)
        {
            line.Denied(Environment.TickCount64 + (long)Refused.TotalMilliseconds);
            return;
        }
        if (hold.HasLeases)
            _owner.Renewal.Add(hold);
        line.Granted(k * unitNanos);
        var credit = new Credit(line, hold, k, tokens, unitNanos, entity, counter, slot.MaxNanos,
            Environment.TickCount64 + (long)Life.TotalMilliseconds);
        if (!line.Add(credit) || _stop.IsCancellationRequested)
            Close(credit);
    }

    private void Close(Credit credit)
    {
        if (credit.Line.Close(credit))
            Return(credit);
    }

    /// <summary>Gives Redis back what a closed credit with no request left did not use, and adds what it spent.</summary>
    internal void Return(Credit credit)
    {
        var (requests, tokens, cost) = credit.Unused();
        _owner.Settle(credit.Grant, refund: requests, tokenDelta: -tokens, costNanos: cost);
        credit.Line.Returned(credit);
    }

    /// <summary>Nano-USD this replica's credits on <paramref name="id"/> hold or spent and have not returned: not yet in Redis's spend.</summary>
    public long Unreturned(string id) => _lines.TryGetValue(id, out var line) ? line.Unreturned : 0;

    private async Task SweepAsync(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(SweepEvery);
        try
        {
            while (await timer.WaitForNextTickAsync(stop).ConfigureAwait(false))
                Sweep(Environment.TickCount64, all: false);
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Closes expired credits (all of them when stopping) and forgets lines idle for a while.</summary>
    private void Sweep(long now, bool all)
    {
        foreach (var (id, line) in _lines)
        {
            var expired = line.Expire(now, all, out var idle);
            foreach (var credit in expired)
                Return(credit);
            if (idle)
                _lines.TryRemove(new KeyValuePair<string, CreditLine>(id, line));
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_stop.IsCancellationRequested)
            return;
        await _stop.CancelAsync().ConfigureAwait(false);
        await _sweep.ConfigureAwait(false);
        Sweep(long.MaxValue, all: true);
        _stop.Dispose();
    }
}

/// <summary>One owner's credits on this replica: the one admitting, and the next (asked for when it runs low).</summary>
internal sealed class CreditLine(CreditBook book)
{
    // Idle this long with no credit: forgotten (a key used once does not stay in memory).
    private const long ForgetAfterMs = 10_000;
    private readonly Lock _lock = new();
    private Credit? _current;
    private Credit? _next;
    private bool _asking;
    private long _deniedUntil;
    private long _lastUsed = Environment.TickCount64;
    private long _unreturned;

    public CreditBook Book { get; } = book;
    /// <summary>Taken out of the book: a caller that found it there looks again.</summary>
    public bool Removed { get; private set; }

    /// <summary>What this owner's credits not yet returned hold or spent (nano-USD).</summary>
    public long Unreturned => Volatile.Read(ref _unreturned);

    /// <summary>A credit of <paramref name="nanos"/> was granted.</summary>
    public void Granted(long nanos)
    {
        lock (_lock)
            _unreturned += nanos;
    }

    /// <summary>A credit was returned (its spend is on its way to Redis, ahead of any later floor on the same connection).</summary>
    public void Returned(Credit credit)
    {
        lock (_lock)
            _unreturned -= credit.Held;
    }

    /// <summary>
    /// One request's part of the current credit, or null. <paramref name="ask"/>: the caller asks Redis for the next
    /// credit (none pending, and this one is missing or past half); <paramref name="closed"/>: a credit that just closed
    /// with no request left, to be returned by the caller.
    /// </summary>
    public Credit? TryTake(EntityLimits? entity, IBudgetCounter? counter, long maxNanos, long tokens, long nanos, long now, out bool ask,
        out Credit? closed, out Credit? closedNext)
    {
        closed = closedNext = null;
        lock (_lock)
        {
            _lastUsed = now;
            // A credit granted under other limits (an admin changed them), expired or used up admits nothing more.
            if (_current is { } current && !current.Serves(entity, counter, maxNanos, now))
            {
                closed = Retire(current);
                _current = null;
            }
            if (_next is { } next && !next.Serves(entity, counter, maxNanos, now))
            {
                closedNext = Retire(next);
                _next = null;
            }
            if (_current is null && _next is not null)
                (_current, _next) = (_next, null);
            var credit = _current;
            if (credit is not null && !credit.Holds(tokens, nanos))
            {
                // Too big for what is left (a larger request than the one it was sized on): this one goes to Redis alone,
                // unless the next credit has room; the rest of this one keeps admitting smaller requests until it expires.
                if (_next is { } roomy && roomy.Holds(tokens, nanos))
                {
                    closed = Retire(credit); // nothing was retired above: a current with a next was serving
                    (_current, _next) = (roomy, null);
                    credit = roomy;
                }
                else
                {
                    credit = null;
                }
            }
            credit?.Take(tokens, nanos);
            ask = !_asking && _next is null && now >= _deniedUntil && (credit is null || credit.Low);
            if (ask)
                _asking = true;
            return credit;
        }
    }

    /// <summary>A granted credit: admitting at once if there is none, else next. False: not wanted (closed by the caller).</summary>
    public bool Add(Credit credit)
    {
        lock (_lock)
        {
            _asking = false;
            if (Removed)
                return false;
            if (_current is null)
                _current = credit;
            else if (_next is null)
                _next = credit;
            else
                return false;
            return true;
        }
    }

    /// <summary>Redis granted nothing (or failed): admissions go one by one until <paramref name="until"/>.</summary>
    public void Denied(long until)
    {
        lock (_lock)
        {
            _asking = false;
            _deniedUntil = until;
        }
    }

    /// <summary>Closes <paramref name="credit"/>; true when no request holds it (return it now).</summary>
    public bool Close(Credit credit)
    {
        lock (_lock)
        {
            if (ReferenceEquals(_current, credit))
                _current = null;
            if (ReferenceEquals(_next, credit))
                _next = null;
            return Retire(credit) is not null;
        }
    }

    /// <summary>A request on <paramref name="credit"/> ended (or was refunded): true when it was the last of a closed credit.</summary>
    public bool Ended(Credit credit, long tokens, long nanos, long cost, long requests)
    {
        lock (_lock)
        {
            var held = credit.Held;
            var last = credit.Give(tokens, nanos, cost, requests);
            _unreturned += credit.Held - held;
            return last;
        }
    }

    /// <summary>Closes expired credits (every one with <paramref name="all"/>); the ones to return now.</summary>
    public List<Credit> Expire(long now, bool all, out bool idle)
    {
        var done = new List<Credit>(0);
        lock (_lock)
        {
            if (_current is { } current && (all || current.Expired(now)))
            {
                if (Retire(current) is { } c)
                    done.Add(c);
                _current = null;
            }
            if (_next is { } next && (all || next.Expired(now)))
            {
                if (Retire(next) is { } n)
                    done.Add(n);
                _next = null;
            }
            if (_current is null && _next is not null)
                (_current, _next) = (_next, null);
            idle = _current is null && _next is null && !_asking && _unreturned == 0 && now - _lastUsed > ForgetAfterMs;
            if (idle)
                Removed = true;
        }
        return done;
    }

    // Marks it closed; returns it when no request holds it (under the lock).
    private static Credit? Retire(Credit credit) => credit.Close() ? credit : null;
}

/// <summary>
/// One grant: what is left of it (requests, tokens, nano-USD), the requests holding part of it, and the limits it was
/// granted under (a change closes it). Guarded by its line's lock.
/// </summary>
internal sealed class Credit(CreditLine line, SharedHold grant, long requests, long unitTokens, long unitNanos, EntityLimits? entity,
    IBudgetCounter? counter, long maxNanos, long expires)
{
    private readonly long _grantedRequests = requests;
    private readonly long _grantedTokens = requests * unitTokens;
    private readonly long _grantedNanos = requests * unitNanos;
    private readonly long _rpm = entity?.Requests?.Limit ?? 0;
    private readonly long _tpm = entity?.Tokens?.Limit ?? 0;
    private readonly long _resetAt = counter?.ResetAtMs ?? 0;
    private long _requests = requests;
    private long _tokens = requests * unitTokens;
    private long _nanos = requests * unitNanos;
    private long _spent;
    private int _holders;
    private bool _closed;

    public CreditLine Line { get; } = line;
    public SharedHold Grant { get; } = grant;

    /// <summary>Past half of any part: time to ask for the next.</summary>
    public bool Low => _requests * 2 < _grantedRequests || _tokens * 2 < _grantedTokens || _nanos * 2 < _grantedNanos;

    public bool Expired(long now) => now >= expires;

    /// <summary>Open, unexpired, with a request left, and granted under the limits (and budget) the request has now.</summary>
    public bool Serves(EntityLimits? limits, IBudgetCounter? budget, long max, long now)
    {
        if (_closed || now >= expires || _requests < 1)
            return false;
        if ((limits?.Requests?.Limit ?? 0) != _rpm || (limits?.Tokens?.Limit ?? 0) != _tpm || (limits?.Parallel?.Limit ?? 0) != 0)
            return false;
        // A budgeted request needs a credit granted on the same budget, window and max; an unbudgeted one takes none of it.
        return budget is null || (counter is not null && ReferenceEquals(budget, counter) && budget.ResetAtMs == _resetAt && max == maxNanos);
    }

    /// <summary>Room left for one request's tokens and nano-USD.</summary>
    public bool Holds(long tokens, long nanos) => _tokens >= tokens && _nanos >= nanos;

    public void Take(long tokens, long nanos)
    {
        _requests--;
        _tokens -= tokens;
        _nanos -= nanos;
        _holders++;
    }

    /// <summary>Nano-USD it holds in Redis or spent past that: what Redis's spend lacks until it is returned.</summary>
    public long Held => Math.Max(_grantedNanos, _spent);

    /// <summary>A request ended: its tokens and reservation back less what it used (refunded: its request too).</summary>
    public bool Give(long tokens, long nanos, long cost, long requests)
    {
        _requests += requests;
        _tokens += tokens;
        _nanos += nanos - cost;
        _spent += cost;
        return --_holders == 0 && _closed;
    }

    /// <summary>Closed to new requests; true when none holds it.</summary>
    public bool Close()
    {
        if (_closed)
            return false;
        _closed = true;
        return _holders == 0;
    }

    /// <summary>What goes back to Redis: requests unused, tokens unused (negative: used past the grant), nano-USD spent.</summary>
    public (long Requests, long Tokens, long Cost) Unused() => (_requests, _tokens, _spent);

    /// <summary>
    /// A request admitted on it ended: <paramref name="used"/> of its <paramref name="reserved"/> tokens, and where it had a
    /// budget with this owner (<paramref name="nanos"/> ≥ 0) <paramref name="cost"/> of that reservation.
    /// </summary>
    public void Ended(long reserved, long used, long nanos, long cost)
    {
        if (nanos < 0)
            (nanos, cost) = (0, 0);
        if (Line.Ended(this, reserved - used, nanos, cost, 0))
            Line.Book.Return(this);
    }

    /// <summary>A request admitted on it was retried elsewhere: all of it back (<paramref name="nanos"/> -1: none was taken).</summary>
    public void Refund(long tokens, long nanos)
    {
        if (Line.Ended(this, tokens, Math.Max(nanos, 0), 0, 1))
            Line.Book.Return(this);
    }
}

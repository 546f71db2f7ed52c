namespace EdgeGw.Spend;

/// <summary>
/// The live spend of one key, team, user or the whole proxy, in nano-dollars, and when its budget
/// window resets. Mutations take a tiny lock because an increment must read the window it lands in
/// atomically with the add (Interlocked alone cannot tie the two); each mutation bumps
/// <see cref="Sequence"/> so the database, written later and possibly out of order, keeps only the
/// newest state. Reads for the budget check are lock-free, and so are reservations
/// (<see cref="IBudgetCounter"/>): they move <c>_committed</c> — spend plus what requests in flight
/// reserved — with compare-and-swap, so the check and the reservation are one atomic step.
/// </summary>
internal sealed class SpendCounter(long nanos = 0, long resetAtMs = 0, long sequence = 0) : IBudgetCounter
{
    private readonly Lock _lock = new();
    private long _nanos = nanos;
    private long _resetAtMs = resetAtMs;
    private long _sequence = sequence;
    private long _committed = nanos; // spend + reserved; every change of spend moves it by the same amount
    private long _observeAfterMs;

    /// <summary>How long an admin's spend set is kept from other replicas' older view (the writer stores it within a batch).</summary>
    private static readonly TimeSpan SetHold = TimeSpan.FromSeconds(5);

    public long Nanos => Volatile.Read(ref _nanos);
    public long ReservedNanos => Math.Max(Volatile.Read(ref _committed) - Volatile.Read(ref _nanos), 0);

    public bool TryReserve(long nanos, long maxNanos)
    {
        while (true)
        {
            var committed = Volatile.Read(ref _committed);
            if (committed >= maxNanos)
                return false;
            // Another request reserved or settled since the read: decide again on the new total.
            if (Interlocked.CompareExchange(ref _committed, Money.Add(committed, nanos), committed) == committed)
                return true;
        }
    }

    public void Release(long nanos) => Commit(-nanos);

    private void Commit(long delta)
    {
        if (delta == 0)
            return;
        while (true)
        {
            var committed = Volatile.Read(ref _committed);
            if (Interlocked.CompareExchange(ref _committed, Money.Add(committed, delta), committed) == committed)
                return;
        }
    }
    /// <summary>When the window ends, Unix ms; 0 when the budget has no duration.</summary>
    public long ResetAtMs => Volatile.Read(ref _resetAtMs);
    public long Sequence => Volatile.Read(ref _sequence);

    public CounterState Add(long nanos)
    {
        lock (_lock)
        {
            var before = _nanos;
            _nanos = Money.Add(_nanos, nanos);
            // Added before the caller releases its reservation: spend + reserved never dips below the truth.
            Commit(_nanos - before);
            _sequence++;
            return new CounterState(_nanos, _resetAtMs, _sequence) { AddedNanos = _nanos - before };
        }
    }

    /// <summary>
    /// Starts a new window when the current one has ended (or starts the first one). Returns the
    /// state to persist when anything changed.
    /// </summary>
    public CounterState? ResetIfDue(BudgetDuration? duration, DateTimeOffset now, BudgetClock clock)
    {
        var due = ResetAtMs;
        var nowMs = now.ToUnixTimeMilliseconds();
        if (duration is null || (due != 0 && nowMs < due))
            return null;
        lock (_lock)
        {
            if (_resetAtMs != 0 && nowMs < _resetAtMs)
                return null;
            var from = _resetAtMs;
            if (_resetAtMs == 0)
            {
                _resetAtMs = duration.NextReset(now, clock).ToUnixTimeMilliseconds();
            }
            else
            {
                _resetAtMs = ResetAfter(duration, DateTimeOffset.FromUnixTimeMilliseconds(_resetAtMs), now, clock).ToUnixTimeMilliseconds();
                Commit(-_nanos);
                Volatile.Write(ref _nanos, 0);
            }
            _sequence++;
            return new CounterState(_nanos, _resetAtMs, _sequence) { Change = CounterChange.Reset, ResetFromMs = from };
        }
    }

    /// <summary>
    /// The reset after the one that was due: each reset computes the next from its own time, as
    /// LiteLLM's reset job does when it runs at the due time, even if no request came for a while.
    /// </summary>
    private static DateTimeOffset ResetAfter(BudgetDuration duration, DateTimeOffset due, DateTimeOffset now, BudgetClock clock)
    {
        var next = due;
        for (var i = 0; i < 64 && next <= now; i++)
        {
            var after = duration.NextReset(next, clock);
            if (after <= next)
                break;
            next = after;
        }
        return next > now ? next : duration.NextReset(now, clock);
    }

    /// <summary>An admin change: a new duration sets the next reset from now; <paramref name="nanos"/> sets the spend.</summary>
    public CounterState Set(long? nanos, BudgetDuration? duration, bool durationChanged, DateTimeOffset now, BudgetClock clock)
    {
        lock (_lock)
        {
            if (nanos is not null)
                SetSpendHeld(nanos.Value);
            if (durationChanged)
                _resetAtMs = duration is null ? 0 : duration.NextReset(now, clock).ToUnixTimeMilliseconds();
            _sequence++;
            return new CounterState(_nanos, _resetAtMs, _sequence)
            {
                Change = CounterChange.Set,
                SetsSpend = nanos is not null,
                SetsWindow = durationChanged,
            };
        }
    }

    /// <summary>
    /// Takes in the spend the shared database holds, which other replicas' spend reached: a newer window there
    /// replaces this one; within the same window spend only grows (amounts this replica has not written yet
    /// are not in the database, so a lower value there is older, not less).
    /// </summary>
    public void Observe(long nanos, long resetAtMs)
    {
        lock (_lock)
        {
            // The database still holds the spend an admin just replaced until the writer's next batch: not taken back in meanwhile.
            if (Environment.TickCount64 < _observeAfterMs)
                return;
            if (resetAtMs > _resetAtMs && _resetAtMs != 0)
            {
                _resetAtMs = resetAtMs;
                Commit(nanos - _nanos);
                _nanos = nanos;
                return;
            }
            if (resetAtMs > _resetAtMs)
                _resetAtMs = resetAtMs;
            if (nanos > _nanos)
            {
                Commit(nanos - _nanos);
                _nanos = nanos;
            }
        }
    }

    /// <summary>
    /// Another replica's admin set this spend: taken as it is (not only upwards), held against the
    /// database's older value like a local set, and not written from here (the setting replica writes it).
    /// </summary>
    public void Replace(long nanos)
    {
        lock (_lock)
            SetSpendHeld(nanos);
    }

    // Under the lock: the database holds the replaced value until the setting replica's writer stores the new one.
    private void SetSpendHeld(long nanos)
    {
        Commit(nanos - _nanos);
        _nanos = nanos;
        _observeAfterMs = Environment.TickCount64 + (long)SetHold.TotalMilliseconds;
    }
}

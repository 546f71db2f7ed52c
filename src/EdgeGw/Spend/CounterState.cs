namespace EdgeGw.Spend;

/// <summary>
/// A counter's state at one mutation, as the spend writer persists it, and the change that led to
/// it. A store owned by one process writes the state (newest <see cref="Sequence"/> wins); a
/// database shared by replicas applies the change instead — adds the amount, resets a window only
/// if no replica has reset it yet — because each replica's state misses the others' spend.
/// </summary>
internal readonly record struct CounterState(long Nanos, long ResetAtMs, long Sequence)
{
    public CounterChange Change { get; init; }

    /// <summary>What <see cref="CounterChange.Added"/> added (the sum, once merged).</summary>
    public long AddedNanos { get; init; }

    /// <summary>For <see cref="CounterChange.Reset"/>: the window end it moved on from; 0 when the first window started (spend kept).</summary>
    public long ResetFromMs { get; init; }

    /// <summary>For <see cref="CounterChange.Set"/>: spend was set to <see cref="Nanos"/>.</summary>
    public bool SetsSpend { get; init; }

    /// <summary>For <see cref="CounterChange.Set"/>: the window end was set to <see cref="ResetAtMs"/> (0: no window).</summary>
    public bool SetsWindow { get; init; }

    /// <summary>Two additions to one counter as one: the newer state, the sum of the amounts.</summary>
    public static CounterState MergeAdded(CounterState a, CounterState b)
    {
        var newer = a.Sequence >= b.Sequence ? a : b;
        return newer with { AddedNanos = Money.Add(a.AddedNanos, b.AddedNanos) };
    }
}

/// <summary>What moved a counter.</summary>
internal enum CounterChange : byte
{
    /// <summary>A request's cost was added.</summary>
    Added,
    /// <summary>A budget window ended: spend back to 0, the next window's end set.</summary>
    Reset,
    /// <summary>An admin set the spend and/or the window.</summary>
    Set,
}

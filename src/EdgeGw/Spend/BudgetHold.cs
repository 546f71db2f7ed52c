using System.Runtime.CompilerServices;

namespace EdgeGw.Spend;

/// <summary>The budgets one request reserves on: key, team, the user in the team or the user, proxy.</summary>
[InlineArray(Capacity)]
internal struct BudgetCounters
{
    public const int Capacity = 4;
    private IBudgetCounter? _first;
}

/// <summary>
/// A request's reservation on its budgets (see <see cref="SpendLedger.Reserve"/>): the counters it
/// was taken from — kept, so an admin change of the key's team mid-request releases the right
/// ones — and the amount. Released once, after the request's cost was added or when it ends unbilled.
/// </summary>
internal struct BudgetHold
{
    private BudgetCounters _counters;
    private int _count;
    private long _nanos;

    public readonly long Nanos => _nanos;
    public readonly int Count => _count;
    public readonly IBudgetCounter Counter(int i) => _counters[i]!;

    /// <summary>The same reservation in the Redis replicas share: settled when this hold releases.</summary>
    public EdgeGw.Shared.SharedHold? Shared { get; set; }

    /// <summary>The request's cost, added to the counters just before the hold releases (for the shared settlement).</summary>
    public readonly void Charged(long nanos) => Shared?.Charged(nanos);

    internal void Start(long nanos)
    {
        Release();
        _nanos = nanos;
    }

    /// <summary>Reserves on <paramref name="counter"/> while it is under <paramref name="maxNanos"/>; no budget, nothing to hold.</summary>
    internal bool TryAdd(IBudgetCounter counter, long? maxNanos)
    {
        if (maxNanos is not { } max)
            return true;
        if (!counter.TryReserve(_nanos, max))
            return false;
        _counters[_count++] = counter;
        return true;
    }

    public void Release()
    {
        var shared = Shared;
        Shared = null;
        shared?.BudgetDone();
        var count = _count;
        _count = 0;
        for (var i = 0; i < count; i++)
        {
            _counters[i]!.Release(_nanos);
            _counters[i] = null;
        }
    }
}

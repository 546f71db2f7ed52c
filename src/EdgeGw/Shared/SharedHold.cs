using EdgeGw.Spend;
using StackExchange.Redis;

namespace EdgeGw.Shared;

/// <summary>
/// One admission's hold in Redis (admit.lua), settled in one fire-and-forget script (settle.lua) once
/// both its parts have ended: the tokens (<see cref="Limits.LimitLease"/>) and the bill
/// (<see cref="BudgetHold"/>) — or given back whole when the attempt is retried elsewhere. A request admitted on
/// this replica's credits (<see cref="CreditBook"/>) settles into them instead, without Redis; a credit's grant is a
/// hold too (one owner), renewed while it runs and returned with settle.lua.
/// </summary>
internal sealed class SharedHold(SharedLimits owner, RedisKey[] keys, RedisValue[] values, Limits.EntityLimits?[] entities,
    int[] budgetOf, IBudgetCounter[] budgets, BudgetSlot[] slots, long tokens, string[] ids)
{
    // admit.lua's reserved nanos, read before settle.lua's arguments are written over them.
    private readonly long _reservedNanos = values.Length > 3 ? (long)values[3] : 0;
    private readonly Credit[]? _credits;
    private readonly long[]? _creditNanos;
    private int _parts = 2;
    private int _done;
    private long _tokenDelta;
    private long _cost;

    /// <summary>A request admitted on <paramref name="credits"/> (one per owner), each holding its tokens and, where it has a budget, <paramref name="nanos"/> (-1: none).</summary>
    public SharedHold(SharedLimits owner, Credit[] credits, long[] nanos, long tokens) : this(owner, [], [], [], [], [], [], tokens, [])
    {
        _credits = credits;
        _creditNanos = nanos;
    }

    /// <summary>Per owner (one id in Redis, in the script's order: a refusal names one by index), its limits if it has any.</summary>
    public Limits.EntityLimits?[] Entities { get; } = entities;
    /// <summary>Per owner, the index of its budget in <see cref="Slots"/>, or -1.</summary>
    public int[] BudgetOf { get; } = budgetOf;
    /// <summary>The budgets, in the order they were held.</summary>
    public BudgetSlot[] Slots { get; } = slots;
    public RedisKey[] Keys { get; } = keys;
    /// <summary>admit.lua's arguments; settle.lua's are written over them (same layout, the reserved nanos kept).</summary>
    public RedisValue[] Values { get; } = values;

    /// <summary>The tokens the answer used are known (a failed attempt: 0).</summary>
    public void TokensDone(long actualTokens)
    {
        Interlocked.Exchange(ref _tokenDelta, actualTokens - tokens);
        Part();
    }

    /// <summary>The request's cost, added to this replica's counters just before its budget hold releases.</summary>
    public void Charged(long costNanos) => Interlocked.Exchange(ref _cost, costNanos);

    /// <summary>The budget hold released (after <see cref="Charged"/>, or unbilled): its reservation goes.</summary>
    public void BudgetDone() => Part();

    /// <summary>A retried attempt: its request, tokens, slots and reservations all go back.</summary>
    public void Refund()
    {
        if (Interlocked.Exchange(ref _done, 1) != 0)
            return;
        if (_credits is { } credits)
        {
            for (var o = 0; o < credits.Length; o++)
                credits[o].Refund(tokens, _creditNanos![o]);
            return;
        }
        owner.Settle(this, refund: 1, 0, 0);
    }

    private void Part()
    {
        if (Interlocked.Decrement(ref _parts) != 0 || Interlocked.Exchange(ref _done, 1) != 0)
            return;
        var delta = Interlocked.Read(ref _tokenDelta);
        var cost = Interlocked.Read(ref _cost);
        if (_credits is { } credits)
        {
            for (var o = 0; o < credits.Length; o++)
                credits[o].Ended(tokens, tokens + delta, _creditNanos![o], cost);
            return;
        }
        owner.Settle(this, refund: 0, delta, cost);
    }

    /// <summary>Whether Redis holds a lease for it (a parallel slot or a budget reservation) that must be renewed while it runs.</summary>
    public bool HasLeases
    {
        get
        {
            for (var o = 0; o < Entities.Length; o++)
                if ((_reservedNanos > 0 && BudgetOf[o] >= 0) || (long)Values[SharedLimits.OwnerArg(o) + 2] > 0)
                    return true;
            return false;
        }
    }

    // The member admit.lua added to owner o's lease set: the lease id, with "=nanos" where it holds a budget reservation; null if none.
    private string? Member(int o)
    {
        if (_reservedNanos > 0 && BudgetOf[o] >= 0)
            return $"{(string?)Values[0]}={_reservedNanos.ToString(System.Globalization.CultureInfo.InvariantCulture)}";
        return (long)Values[SharedLimits.OwnerArg(o) + 2] > 0 ? (string?)Values[0] : null;
    }

    // Linked into LeaseRenewal while admitted and unsettled (guarded by its lock).
    internal bool Listed;
    internal SharedHold? Prev;
    internal SharedHold? Next;

    /// <summary>Adds renew.lua's (lease set, its owner's hash) key pairs and members for every lease this hold has.</summary>
    public void LeasePairs(List<RedisKey> keys, List<RedisValue> leases)
    {
        for (var o = 0; o < Entities.Length; o++)
        {
            if (Member(o) is not { } member)
                continue;
            keys.Add(Keys[o * 3 + 1]);
            keys.Add(Keys[o * 3]);
            leases.Add(member);
        }
    }

    /// <summary>Owner <paramref name="o"/>'s budget counter (this replica's, the cost included once charged).</summary>
    public IBudgetCounter Budget(int o) => budgets[BudgetOf[o]];

    /// <summary>Per owner, its id in Redis.</summary>
    public string[] Ids { get; } = ids;
}

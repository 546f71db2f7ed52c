namespace EdgeGw.Spend;

/// <summary>
/// One budget as admission sees it: what was spent and what requests in flight have reserved. The
/// seam a counter shared across replicas implements too, so the reservation rule is written once:
/// a reservation is taken only while spend + reserved &lt; max_budget (LiteLLM's "spend &lt; budget",
/// with requests in flight counted at their worst case), in one atomic step.
/// </summary>
internal interface IBudgetCounter
{
    long Nanos { get; }
    long ReservedNanos { get; }
    /// <summary>When the budget window ends (Unix ms; 0: no duration): a shared counter keys its spend by window.</summary>
    long ResetAtMs { get; }

    /// <summary>Adds <paramref name="nanos"/> to the reserved amount if spend + reserved &lt; <paramref name="maxNanos"/>.</summary>
    bool TryReserve(long nanos, long maxNanos);

    /// <summary>Gives back a reservation: after the request's actual cost was added, or when it cost nothing.</summary>
    void Release(long nanos);
}

namespace EdgeGw.Spend;

/// <summary>
/// Money is counted in whole nano-dollars (<c>long</c>): exact integer sums in memory and in SQL,
/// room for $9.2 billion per counter. Each request's cost is rounded once, to the nearest
/// nano-dollar, so every total is exactly the sum of its rows.
/// </summary>
internal static class Money
{
    public const long NanosPerDollar = 1_000_000_000;

    /// <summary>Saturates at ±<see cref="MaxDollars"/> so no amount can overflow a counter.</summary>
    public static long ToNanos(decimal dollars) =>
        (long)decimal.Round(Math.Clamp(dollars, -MaxDollars, MaxDollars) * NanosPerDollar, 0, MidpointRounding.AwayFromZero);

    /// <summary>A counter plus an amount, saturating instead of wrapping round to a negative spend.</summary>
    public static long Add(long nanos, long amount)
    {
        var sum = nanos + amount;
        // Overflow only when both signs agree and the sum's differs.
        return ((nanos ^ sum) & (amount ^ sum)) < 0 ? (amount < 0 ? long.MinValue : long.MaxValue) : sum;
    }

    public static decimal ToDollars(long nanos) => nanos / (decimal)NanosPerDollar;

    /// <summary>The largest budget that still fits a counter, for input validation.</summary>
    public const decimal MaxDollars = long.MaxValue / NanosPerDollar;
}

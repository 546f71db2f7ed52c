namespace EdgeGw.Spend;

/// <summary>
/// Money is counted in whole nano-dollars (<c>long</c>): exact integer sums in memory and in SQL,
/// room for $9.2 billion per counter. Each request's cost is rounded once, to the nearest
/// nano-dollar, so every total is exactly the sum of its rows.
/// </summary>
internal static class Money
{
    public const long NanosPerDollar = 1_000_000_000;

    public static long ToNanos(decimal dollars) =>
        (long)decimal.Round(dollars * NanosPerDollar, 0, MidpointRounding.AwayFromZero);

    public static decimal ToDollars(long nanos) => nanos / (decimal)NanosPerDollar;

    /// <summary>The largest budget that still fits a counter, for input validation.</summary>
    public const decimal MaxDollars = long.MaxValue / NanosPerDollar;
}

using System.Collections.Immutable;
using EdgeGw.Spend;
using Npgsql;

namespace EdgeGw.Storage.Postgres;

/// <summary>
/// How LiteLLM's column types hold EdgeGw's values: money is USD in <c>DOUBLE PRECISION</c>
/// (EdgeGw counts whole nano-dollars), times are <c>TIMESTAMP(3)</c> without a zone holding UTC
/// (Prisma's <c>DateTime</c>), rate limits are <c>BIGINT</c>, lists are <c>TEXT[]</c> and JSON is
/// <c>JSONB</c> (moved as text).
/// </summary>
internal static class LiteLlmValues
{
    public static long? Nanos(double? usd) => usd is { } v ? Nanos(v) : null;

    public static long Nanos(double usd)
    {
        if (double.IsNaN(usd))
            return 0;
        // Saturates like Money.ToNanos; the decimal cast keeps 0.1 as 0.1 (double's shortest form), not 0.1000000000000000055.
        var clamped = Math.Clamp(usd, (double)-Money.MaxDollars, (double)Money.MaxDollars);
        return Money.ToNanos((decimal)clamped);
    }

    public static double Usd(long nanos) => nanos / (double)Money.NanosPerDollar;

    public static double? Usd(long? nanos) => nanos is { } n ? Usd(n) : null;

    public static DateTimeOffset? Time(DateTime? stored) => stored is { } t ? Time(t) : null;

    public static DateTimeOffset Time(DateTime stored) => new(DateTime.SpecifyKind(stored, DateTimeKind.Utc));

    /// <summary>UTC wall time for a <c>timestamp without time zone</c> parameter, cut to its millisecond precision.</summary>
    public static DateTime Timestamp(DateTimeOffset time)
    {
        var utc = time.UtcDateTime;
        return new DateTime(utc.Ticks - utc.Ticks % TimeSpan.TicksPerMillisecond, DateTimeKind.Unspecified);
    }

    public static DateTime? Timestamp(DateTimeOffset? time) => time is { } t ? Timestamp(t) : null;

    /// <summary>A counter's reset instant in Unix ms (0: no window), as <see cref="SpendCounter"/> keeps it.</summary>
    public static long ResetMs(DateTime? stored) => stored is { } t ? Time(t).ToUnixTimeMilliseconds() : 0;

    public static int? Limit(long? stored) => stored is { } v ? (int)Math.Clamp(v, int.MinValue, int.MaxValue) : null;

    public static ImmutableArray<string> List(NpgsqlDataReader r, int i) =>
        r.IsDBNull(i) ? [] : [.. r.GetFieldValue<string[]>(i)];

    public static string JsonText(NpgsqlDataReader r, int i, string empty) => r.IsDBNull(i) ? empty : r.GetString(i);

    public static string? Text(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);

    public static double? Double(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetDouble(i);

    public static long? Long(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetInt64(i);

    public static DateTime? Stamp(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetDateTime(i);

    public static bool Flag(NpgsqlDataReader r, int i) => !r.IsDBNull(i) && r.GetBoolean(i);

    public static void Add(this NpgsqlCommand command, string name, object? value) =>
        command.Parameters.Add(new NpgsqlParameter(name, value ?? DBNull.Value));
}

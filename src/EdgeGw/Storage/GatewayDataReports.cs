namespace EdgeGw.Storage;

/// <summary>
/// Where the admin spend endpoints read. The embedded database until start-up wiring gives
/// <see cref="GatewayData"/> its own reports (<see cref="Postgres.PostgresSpendReports"/> when
/// <c>DATABASE_URL</c> is set); then this body returns those.
/// </summary>
internal static class GatewayDataReports
{
    public static ISpendReports SpendReports(this GatewayData data) => new SqliteSpendReports(data.Store);
}

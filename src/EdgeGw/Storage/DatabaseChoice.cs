namespace EdgeGw.Storage;

/// <summary>Which database keeps keys, teams, users and spend: chosen once at start, kept across config reloads.</summary>
internal abstract record DatabaseChoice
{
    /// <summary>The embedded default: EdgeGw's tables in one SQLite file (<c>--db</c>, <c>EDGEGW_DB</c>).</summary>
    public sealed record Sqlite(string Path) : DatabaseChoice;

    /// <summary>LiteLLM's tables in PostgreSQL, from <paramref name="Source"/> (<c>DATABASE_URL</c> or <c>general_settings.database_url</c>).</summary>
    public sealed record Postgres(string Url, string Source) : DatabaseChoice
    {
        /// <summary>How long start-up waits for a database that is down or still starting before giving up.</summary>
        public TimeSpan StartWait { get; init; } = TimeSpan.FromSeconds(60);
    }

    /// <summary>PostgreSQL when the config or the environment names a database URL, as LiteLLM; otherwise the SQLite file.</summary>
    public static DatabaseChoice For(Config.GeneralSettings general, string sqlitePath) =>
        general.DatabaseUrl is { } url ? new Postgres(WithPoolLimit(url, general.DatabaseConnectionPoolLimit), general.DatabaseUrlSource) : new Sqlite(sqlitePath);

    // LiteLLM passes database_connection_pool_limit to Prisma as the URL's connection_limit; one written in the URL stays.
    private static string WithPoolLimit(string url, int? limit) =>
        limit is not { } n || url.Contains("connection_limit=", StringComparison.Ordinal)
            ? url
            : url + (url.Contains('?', StringComparison.Ordinal) ? '&' : '?') + "connection_limit=" + n.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

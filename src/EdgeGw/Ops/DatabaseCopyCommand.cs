using EdgeGw.Storage;
using EdgeGw.Storage.Postgres;

namespace EdgeGw.Ops;

/// <summary>
/// <c>edgegw db copy --from sqlite:PATH --to postgresql://…</c>: moves an embedded database into
/// LiteLLM's tables on PostgreSQL (<see cref="SqliteToPostgres"/>), creating them where missing.
/// <c>--from postgresql://… --to sqlite:PATH</c> moves the run-time models back (<see cref="ModelCopy"/>; accounts and spend stay).
/// Exit 0 copied, 1 a database failed, 2 bad arguments. The password is never printed.
/// </summary>
internal static class DatabaseCopyCommand
{
    public const string Name = "db";
    private const string UsageLine = "usage: edgegw db copy --from sqlite:PATH --to postgresql://USER:PASSWORD@HOST:PORT/DB (or --from postgresql://… --to sqlite:PATH for the models)";

    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter output, TextWriter errors)
    {
        if (!TryParse(args, out var sqlitePath, out var url, out var toSqlite, out var problem))
        {
            errors.WriteLine($"edgegw db: {problem} ({UsageLine})");
            return 2;
        }
        try
        {
            using var sqlite = SqliteStore.Open(sqlitePath);
            await using var postgres = await PostgresStore.OpenAsync(url);
            if (toSqlite)
            {
                output.WriteLine($"edgegw db copy: PostgreSQL {postgres.Url.Redacted} -> SQLite {sqlite.Path} (run-time models only)");
                var models = await ModelCopy.RunAsync(new PostgresModelStore(postgres.Source, postgres.Url), new SqliteModelStore(sqlite), skipBlocked: true);
                output.WriteLine($"edgegw db copy: done: {ModelCopy.Describe(models)}");
                return 0;
            }
            output.WriteLine($"edgegw db copy: SQLite {sqlite.Path} -> PostgreSQL {postgres.Url.Redacted}");
            var counts = await SqliteToPostgres.RunAsync(sqlite, postgres.Source, postgres.Url, line => output.WriteLine($"edgegw db copy: {line}"));
            output.WriteLine($"edgegw db copy: done: {counts.Keys} keys, {counts.Teams} teams, {counts.Users} users, {counts.Members} team members, " +
                $"{counts.SpendRows} spend rows copied ({counts.SpendRowsPresent} already present), {ModelCopy.Describe(counts.Models)}; spend totals set to the SQLite ones");
            return 0;
        }
        catch (StoreException e)
        {
            errors.WriteLine($"edgegw db copy: {e.Message}");
            return 1;
        }
        catch (StoreUnavailableException e)
        {
            errors.WriteLine($"edgegw db copy: {e.Message}");
            return 1;
        }
        catch (Npgsql.NpgsqlException e)
        {
            // Npgsql's messages name host and database, never the password.
            errors.WriteLine($"edgegw db copy: PostgreSQL failed mid-copy (run it again: what was copied is kept, nothing doubles): {PostgresFailure.Reason(e)}");
            return 1;
        }
    }

    private static bool TryParse(IReadOnlyList<string> args, out string sqlitePath, out string url, out bool toSqlite, out string problem)
    {
        string from = "", to = "";
        sqlitePath = url = problem = "";
        toSqlite = false;
        if (args is not ["copy", ..])
        {
            problem = args.Count == 0 ? "missing the subcommand 'copy'" : $"unknown subcommand '{args[0]}'";
            return false;
        }
        for (var i = 1; i < args.Count; i++)
        {
            var arg = args[i];
            var value = i + 1 < args.Count ? args[i + 1] : null;
            switch (arg)
            {
                case "--from" when value is not null:
                    from = value;
                    i++;
                    break;
                case "--to" when value is not null:
                    to = value;
                    i++;
                    break;
                case "--from" or "--to":
                    problem = $"{arg} needs a value";
                    return false;
                default:
                    problem = $"unexpected argument '{(arg.Contains("://", StringComparison.Ordinal) ? "a URL" : arg)}'";
                    return false;
            }
        }
        // The way back (PostgreSQL into SQLite) carries the run-time models; the target file is made if missing.
        toSqlite = IsPostgres(from);
        var (sqlite, postgres, sqliteOption, postgresOption) = toSqlite ? (to, from, "--to", "--from") : (from, to, "--from", "--to");
        if (!sqlite.StartsWith("sqlite:", StringComparison.Ordinal) || sqlite.Length == "sqlite:".Length)
        {
            problem = sqlite.Length == 0 ? $"{sqliteOption} is required" : $"{sqliteOption} must be sqlite:PATH (the embedded database file)";
            return false;
        }
        sqlitePath = sqlite["sqlite:".Length..];
        if (sqlitePath.StartsWith("//", StringComparison.Ordinal))
            sqlitePath = sqlitePath[2..]; // sqlite:///data/edgegw.db, as SQLAlchemy spells it
        if (!toSqlite && !File.Exists(sqlitePath))
        {
            problem = $"--from: no database file at '{sqlitePath}'";
            return false;
        }
        if (postgres.Length == 0)
        {
            problem = $"{postgresOption} is required";
            return false;
        }
        if (!DatabaseUrl.TryParse(postgres, out _, out var error))
        {
            problem = $"{postgresOption}: {error}";
            return false;
        }
        url = postgres;
        return true;
    }

    private static bool IsPostgres(string value) =>
        value.StartsWith("postgresql://", StringComparison.Ordinal) || value.StartsWith("postgres://", StringComparison.Ordinal);
}

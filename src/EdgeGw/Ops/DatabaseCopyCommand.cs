using EdgeGw.Storage;
using EdgeGw.Storage.Postgres;

namespace EdgeGw.Ops;

/// <summary>
/// <c>edgegw db copy --from sqlite:PATH --to postgresql://…</c>: moves an embedded database into
/// LiteLLM's tables on PostgreSQL (<see cref="SqliteToPostgres"/>), creating them where missing.
/// Exit 0 copied, 1 a database failed, 2 bad arguments. The password is never printed.
/// </summary>
internal static class DatabaseCopyCommand
{
    public const string Name = "db";
    private const string UsageLine = "usage: edgegw db copy --from sqlite:PATH --to postgresql://USER:PASSWORD@HOST:PORT/DB";

    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter output, TextWriter errors)
    {
        if (!TryParse(args, out var from, out var to, out var problem))
        {
            errors.WriteLine($"edgegw db: {problem} ({UsageLine})");
            return 2;
        }
        try
        {
            using var sqlite = SqliteStore.Open(from);
            await using var postgres = await PostgresStore.OpenAsync(to);
            output.WriteLine($"edgegw db copy: SQLite {sqlite.Path} -> PostgreSQL {postgres.Url.Redacted}");
            var counts = await SqliteToPostgres.RunAsync(sqlite, postgres.Source, line => output.WriteLine($"edgegw db copy: {line}"));
            output.WriteLine($"edgegw db copy: done: {counts.Keys} keys, {counts.Teams} teams, {counts.Users} users, {counts.Members} team members, " +
                $"{counts.SpendRows} spend rows copied ({counts.SpendRowsPresent} already present); spend totals set to the SQLite ones");
            return 0;
        }
        catch (StoreException e)
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

    private static bool TryParse(IReadOnlyList<string> args, out string from, out string to, out string problem)
    {
        from = to = problem = "";
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
        if (!from.StartsWith("sqlite:", StringComparison.Ordinal) || from.Length == "sqlite:".Length)
        {
            problem = from.Length == 0 ? "--from is required" : "--from must be sqlite:PATH (the embedded database file)";
            return false;
        }
        from = from["sqlite:".Length..];
        if (from.StartsWith("//", StringComparison.Ordinal))
            from = from[2..]; // sqlite:///data/edgegw.db, as SQLAlchemy spells it
        if (!File.Exists(from))
        {
            problem = $"--from: no database file at '{from}'";
            return false;
        }
        if (to.Length == 0)
        {
            problem = "--to is required";
            return false;
        }
        if (!DatabaseUrl.TryParse(to, out _, out var error))
        {
            problem = $"--to: {error}";
            return false;
        }
        return true;
    }
}

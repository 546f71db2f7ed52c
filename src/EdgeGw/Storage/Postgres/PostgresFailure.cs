using Npgsql;

namespace EdgeGw.Storage.Postgres;

/// <summary>Tells a database that is down, unreachable or refusing writes from a bug in a statement.</summary>
internal static class PostgresFailure
{
    public static bool IsUnavailable(Exception e) => e switch
    {
        PostgresException p => p.IsTransient || p.SqlState.Length == 5 && (p.SqlState[..2] is "08" or "25" or "28" or "3D" or "53" or "55" or "57" or "58"
            || p.SqlState == PostgresErrorCodes.InsufficientPrivilege),
        NpgsqlException or TimeoutException => true, // no answer from the server: connection refused, reset, timed out
        _ => false,
    };

    /// <summary>Worth waiting for at start-up: down or starting, not a wrong password or a missing privilege.</summary>
    public static bool WorthWaitingFor(Exception e) =>
        IsUnavailable(e) && e is not PostgresException { SqlState: [ '2', '8', ..] or PostgresErrorCodes.InsufficientPrivilege };

    /// <summary>Npgsql's message plus the socket's, e.g. "Failed to connect to 127.0.0.1:5432: Connection refused"; never the password.</summary>
    public static string Reason(Exception e) =>
        e.InnerException is System.Net.Sockets.SocketException or IOException or TimeoutException && !e.Message.Contains(e.InnerException.Message, StringComparison.Ordinal)
            ? $"{e.Message.TrimEnd('.')}: {e.InnerException.Message.TrimEnd('.')}"
            : e.Message.TrimEnd('.');

    /// <summary>Runs a store's statement: a database that is down becomes a <see cref="StoreUnavailableException"/> naming it (never its password).</summary>
    public static async Task<T> GuardAsync<T>(Func<Task<T>> work, DatabaseUrl url)
    {
        try
        {
            return await work();
        }
        catch (Exception e) when (IsUnavailable(e))
        {
            throw Unavailable(e, url);
        }
    }

    public static StoreUnavailableException Unavailable(Exception e, DatabaseUrl url) =>
        new($"the database cannot be written (PostgreSQL {url.Redacted}: {Reason(e)})", e);
}

using Microsoft.Data.Sqlite;

namespace EdgeGw.Storage;

/// <summary>Tells a database the environment broke (full disk, I/O error, lock) from a bug in a statement.</summary>
internal static class SqliteFailure
{
    public static bool IsUnavailable(SqliteException e) => (e.SqliteErrorCode & 0xff) switch
    {
        3 or 5 or 6 or 7 or 8 or 10 or 11 or 13 or 14 or 15 or 26 => true, // PERM BUSY LOCKED NOMEM READONLY IOERR CORRUPT FULL CANTOPEN PROTOCOL NOTADB
        _ => false,
    };

    public static StoreUnavailableException Unavailable(SqliteException e) =>
        new($"the database cannot be written ({e.Message.TrimEnd('.')})", e);
}

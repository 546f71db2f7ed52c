using System.Globalization;
using Microsoft.Data.Sqlite;

namespace EdgeGw.Storage;

/// <summary>
/// The gateway's one SQLite database (WAL mode), opened and migrated at start and kept open for
/// the process's life. One connection serves the admin routes, the spend writer and the reports,
/// one caller at a time: SQLite has a single writer anyway and requests never wait on it.
/// </summary>
internal sealed class SqliteStore : IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly Lock _lock = new();
    private bool _disposed;

    private SqliteStore(SqliteConnection connection, string path)
    {
        _connection = connection;
        Path = path;
    }

    public string Path { get; }
    public bool IsOpen => !_disposed && _connection.State == System.Data.ConnectionState.Open;

    /// <summary>Opens (creating if needed) and migrates; <see cref="StoreException"/> says why it cannot.</summary>
    public static SqliteStore Open(string path)
    {
        SqliteNative.EnsureInitialized();
        var full = System.IO.Path.GetFullPath(path);
        var builder = new SqliteConnectionStringBuilder { DataSource = full, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = false };
        var connection = new SqliteConnection(builder.ToString());
        try
        {
            connection.Open();
            Execute(connection, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000; PRAGMA foreign_keys=ON;");
            Migrate(connection, full);
        }
        catch (SqliteException e)
        {
            connection.Dispose();
            throw new StoreException($"cannot open database '{full}': {e.Message}", e);
        }
        catch (DllNotFoundException e)
        {
            throw new StoreException("the SQLite library was not found: install it (Debian/Ubuntu: apt-get install libsqlite3-0)", e);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
        return new SqliteStore(connection, full);
    }

    private static void Migrate(SqliteConnection connection, string path)
    {
        var version = Convert.ToInt32(Scalar(connection, "PRAGMA user_version"), CultureInfo.InvariantCulture);
        if (version > Migrations.Latest)
            throw new StoreException(
                $"database '{path}' has schema version {version}, but this edgegw understands only up to {Migrations.Latest}. " +
                "It was written by a newer edgegw: run that version, or point --db at another file.");
        for (var step = version; step < Migrations.Latest; step++)
        {
            using var tx = connection.BeginTransaction();
            using (var command = connection.CreateCommand())
            {
                command.Transaction = tx;
                command.CommandText = Migrations.Steps[step] + $"\nPRAGMA user_version = {step + 1};";
                command.ExecuteNonQuery();
            }
            tx.Commit();
        }
    }

    public int SchemaVersion => Run(c => Convert.ToInt32(Scalar(c, "PRAGMA user_version"), CultureInfo.InvariantCulture));

    /// <summary>
    /// Runs <paramref name="work"/> with the connection, alone. A full disk or an I/O error is a
    /// <see cref="StoreUnavailableException"/>; a single statement that fails writes nothing.
    /// </summary>
    public T Run<T>(Func<SqliteConnection, T> work)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            try
            {
                return work(_connection);
            }
            catch (SqliteException e) when (SqliteFailure.IsUnavailable(e))
            {
                throw SqliteFailure.Unavailable(e);
            }
        }
    }

    /// <summary>Runs <paramref name="work"/> in one transaction, alone: all of it is written or none (see <see cref="Run{T}"/>).</summary>
    public void InTransaction(Action<SqliteConnection, SqliteTransaction> work)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            try
            {
                using var tx = _connection.BeginTransaction();
                work(_connection, tx);
                tx.Commit();
            }
            catch (SqliteException e) when (SqliteFailure.IsUnavailable(e))
            {
                throw SqliteFailure.Unavailable(e);
            }
        }
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static object? Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed)
                return;
            _disposed = true;
            // Folds the WAL back into the main file so a stopped gateway leaves one file behind.
            try
            {
                Execute(_connection, "PRAGMA wal_checkpoint(TRUNCATE);");
            }
            catch (SqliteException)
            {
            }
            _connection.Dispose();
        }
    }
}

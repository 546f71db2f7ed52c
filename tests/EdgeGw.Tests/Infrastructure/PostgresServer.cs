using System.Diagnostics;
using Npgsql;

namespace EdgeGw.Tests.Infrastructure;

/// <summary>
/// A throwaway PostgreSQL cluster for the test run: initdb into a temporary folder, postgres on a
/// free loopback port (unix socket in the same folder), a fresh database per test. Debian's
/// <c>postgresql</c> package provides the binaries (<c>.ci/run</c> installs it). Postgres refuses
/// to run as root, so under root every server command runs as the <c>postgres</c> user. A server
/// that cannot start fails the test with its log: nothing is skipped.
/// </summary>
public sealed class PostgresServer : IDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private readonly string _root;
    private readonly string _bin;
    private Process _server;
    private readonly ProcessLog _log = new();
    private int _databases;

    public PostgresServer()
    {
        _bin = FindBinaries();
        _root = Directory.CreateTempSubdirectory("edgegw-pg-").FullName;
        var data = Path.Combine(_root, "data");
        Directory.CreateDirectory(Path.Combine(_root, "socket"));
        if (Environment.IsPrivilegedProcess)
            RunToEnd("chown", ["-R", "postgres:postgres", _root]);
        var (initCode, initLog) = RunToEnd(Tool("initdb"), ["-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-locale", "--no-sync"], asPostgres: true);
        if (initCode != 0)
            Fail($"initdb exited {initCode}", initLog);

        Port = ProcessLog.FreePort();
        _server = StartServer();
    }

    private Process StartServer()
    {
        var server = Start(Tool("postgres"), ["-D", Path.Combine(_root, "data"), "-p", Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-k", Path.Combine(_root, "socket"), "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off",
            "-c", "synchronous_commit=off", "-c", "full_page_writes=off", "-c", "max_connections=200"]);
        WaitUntilReady(server);
        return server;
    }

    /// <summary>Stops the server (fast shutdown: clients are cut off); every test that calls it starts it again with <see cref="Restart"/>.</summary>
    public void Shutdown() => Stop();

    /// <summary>Starts the stopped server again on the same port and data.</summary>
    public void Restart()
    {
        if (!_server.HasExited)
            return;
        _server.Dispose();
        _server = StartServer();
    }

    /// <summary>A database name unique in this run, not created yet (see <see cref="CreateDatabase(string)"/>).</summary>
    public string NewDatabaseName() => "t" + Interlocked.Increment(ref _databases).ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>True once the server logged <paramref name="text"/> (e.g. a refused connection).</summary>
    public bool Logged(string text) => ServerLog().Contains(text, StringComparison.Ordinal);

    public int Port { get; }

    /// <summary>The server's connection string for <paramref name="database"/> (trust authentication, user postgres).</summary>
    public string ConnectionString(string database = "postgres") =>
        $"Host=127.0.0.1;Port={Port};Username=postgres;Database={database};Pooling=false";

    /// <summary>The same as a LiteLLM user writes it in <c>DATABASE_URL</c>.</summary>
    public string Url(string database) => $"postgresql://postgres@127.0.0.1:{Port}/{database}";

    /// <summary>A new empty database with a name unique in this run.</summary>
    public string CreateDatabase() => CreateDatabase(NewDatabaseName());

    public string CreateDatabase(string name)
    {
        using var connection = new NpgsqlConnection(ConnectionString());
        connection.Open();
        using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
        command.ExecuteNonQuery();
        return name;
    }

    /// <summary>Runs a SQL script (for example a fixture file) in <paramref name="database"/>.</summary>
    public void Execute(string database, string sql)
    {
        using var connection = new NpgsqlConnection(ConnectionString(database));
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }

    public object? Scalar(string database, string sql)
    {
        using var connection = new NpgsqlConnection(ConnectionString(database));
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        return command.ExecuteScalar();
    }

    private void WaitUntilReady(Process server)
    {
        var deadline = Stopwatch.StartNew();
        Exception? last = null;
        while (deadline.Elapsed < StartTimeout)
        {
            if (server.HasExited)
                Fail($"postgres exited with code {server.ExitCode} while starting", ServerLog());
            try
            {
                using var connection = new NpgsqlConnection(ConnectionString() + ";Timeout=2");
                connection.Open();
                return;
            }
            catch (NpgsqlException e)
            {
                last = e;
            }
            Thread.Sleep(100);
        }
        server.Kill();
        Fail($"postgres did not accept connections on 127.0.0.1:{Port} within {StartTimeout.TotalSeconds} s ({last?.Message})", ServerLog());
    }

    private string ServerLog() => _log.Text;

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private static void Fail(string what, string log) =>
        throw new InvalidOperationException($"the PostgreSQL test server could not start: {what}. Its output:\n{log}");

    private string Tool(string name) => Path.Combine(_bin, name);

    private static string FindBinaries()
    {
        // Debian installs each major version side by side; the newest wins.
        var candidates = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql")
                .Select(d => (Dir: Path.Combine(d, "bin"), Version: int.TryParse(Path.GetFileName(d), out var v) ? v : 0))
                .Where(c => File.Exists(Path.Combine(c.Dir, "postgres")) && File.Exists(Path.Combine(c.Dir, "initdb")))
                .OrderByDescending(c => c.Version)
                .Select(c => c.Dir)
                .ToList()
            : [];
        if (candidates.Count == 0)
            Fail("no postgres/initdb under /usr/lib/postgresql/*/bin", "(install Debian's postgresql package: apt-get install -y postgresql)");
        return candidates[0];
    }

    // As root, setpriv execs the command as postgres in the same process, so the id we hold is the postmaster's.
    private static ProcessStartInfo Command(string file, IEnumerable<string> args, bool asPostgres)
    {
        var info = new ProcessStartInfo { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (asPostgres && Environment.IsPrivilegedProcess)
        {
            info.FileName = "setpriv";
            foreach (var a in new[] { "--reuid=postgres", "--regid=postgres", "--clear-groups", "--", file })
                info.ArgumentList.Add(a);
        }
        else
        {
            info.FileName = file;
        }
        foreach (var a in args)
            info.ArgumentList.Add(a);
        return info;
    }

    private static (int Code, string Output) RunToEnd(string file, IEnumerable<string> args, bool asPostgres = false)
    {
        using var process = Process.Start(Command(file, args, asPostgres))!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            process.Kill(entireProcessTree: true);
            return (-1, "timed out after 60 s\n" + stdout.Result + stderr.Result);
        }
        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    private Process Start(string file, IEnumerable<string> args)
    {
        var process = new Process { StartInfo = Command(file, args, asPostgres: true) };
        _log.Start(process);
        return process;
    }

    private void Stop()
    {
        NpgsqlConnection.ClearAllPools();
        if (!_server.HasExited)
        {
            // Fast shutdown through pg_ctl (it signals the postmaster); a server that ignores it is killed.
            RunToEnd(Tool("pg_ctl"), ["-D", Path.Combine(_root, "data"), "-m", "fast", "-w", "-t", "10", "stop"], asPostgres: true);
            if (!_server.WaitForExit(TimeSpan.FromSeconds(10)))
                _server.Kill();
        }
        _server.WaitForExit(TimeSpan.FromSeconds(5));
    }

    public void Dispose()
    {
        Stop();
        _server.Dispose();
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>One PostgreSQL server for every test class that declares <c>[Collection(PostgresCollection.Name)]</c>.</summary>
[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServer>
{
    public const string Name = "postgres";
}

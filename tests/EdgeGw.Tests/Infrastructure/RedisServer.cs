using System.Diagnostics;
using StackExchange.Redis;

namespace EdgeGw.Tests.Infrastructure;

/// <summary>
/// A throwaway <c>redis-server</c> for the test run (Debian's <c>redis-server</c> package; <c>.ci/run</c>
/// installs it): no persistence, a free loopback port, its files in a temporary folder. Tests in the
/// collection run one at a time and call <see cref="Flush"/> first. A server that cannot start fails
/// the test with its log: nothing is skipped.
/// </summary>
public sealed class RedisServer : IDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(20);
    private readonly string _root;
    private readonly string[] _extraArgs;
    private readonly ProcessLog _log = new();
    private Process _server;
    private ConnectionMultiplexer? _client;

    public RedisServer() : this([])
    {
    }

    /// <summary>A server with extra <c>redis-server</c> arguments (e.g. <c>--requirepass</c>).</summary>
    internal RedisServer(params string[] extraArgs)
    {
        _extraArgs = extraArgs;
        _root = Directory.CreateTempSubdirectory("edgegw-redis-").FullName;
        Port = ProcessLog.FreePort();
        _server = StartServer();
    }

    public int Port { get; }

    /// <summary>As a LiteLLM user writes it in <c>REDIS_URL</c> / <c>router_settings.redis_url</c>.</summary>
    public string Url => $"redis://127.0.0.1:{Port}";

    /// <summary>A client for assertions and set-up (admin commands allowed).</summary>
    public IDatabase Database => Client.GetDatabase();

    public IServer Server => Client.GetServer("127.0.0.1", Port);

    private ConnectionMultiplexer Client => _client ??= ConnectionMultiplexer.Connect(
        new ConfigurationOptions { EndPoints = { { "127.0.0.1", Port } }, AllowAdmin = true, AbortOnConnectFail = false, ConnectTimeout = 2000 });

    /// <summary>Empties every database: the state a test starts from.</summary>
    public void Flush() => Server.FlushAllDatabases();

    /// <summary>Stops the server (SHUTDOWN NOSAVE: clients are cut off); a test that calls it starts it again with <see cref="Restart"/>.</summary>
    public void Shutdown() => Stop();

    /// <summary>Starts the stopped server again on the same port, empty (it keeps nothing on disk).</summary>
    public void Restart()
    {
        if (!_server.HasExited)
            return;
        _server.Dispose();
        _server = StartServer();
    }

    public bool IsRunning => !_server.HasExited;

    private Process StartServer()
    {
        var args = new List<string>
        {
            "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1",
            "--save", "", "--appendonly", "no", "--dir", _root, "--daemonize", "no", "--protected-mode", "no",
        };
        args.AddRange(_extraArgs);
        var process = new Process
        {
            StartInfo = new ProcessStartInfo(FindServer()) { UseShellExecute = false },
        };
        foreach (var a in args)
            process.StartInfo.ArgumentList.Add(a);
        _log.Start(process);
        WaitUntilReady(process);
        return process;
    }

    private void WaitUntilReady(Process server)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < StartTimeout)
        {
            if (server.HasExited)
                Fail($"redis-server exited with code {server.ExitCode} while starting");
            if (Logged("Ready to accept connections"))
                return;
            Thread.Sleep(20);
        }
        server.Kill();
        Fail($"redis-server did not become ready on 127.0.0.1:{Port} within {StartTimeout.TotalSeconds} s");
    }

    /// <summary>True once the server logged <paramref name="text"/>.</summary>
    public bool Logged(string text) => _log.Contains(text);

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private void Fail(string what)
    {
        var log = _log.Text;
        throw new InvalidOperationException($"the Redis test server could not start: {what}. Its output:\n{log}");
    }

    private static string FindServer()
    {
        foreach (var candidate in (string[])["/usr/bin/redis-server", "/usr/local/bin/redis-server"])
        {
            if (File.Exists(candidate))
                return candidate;
        }
        throw new InvalidOperationException("the Redis test server could not start: no redis-server in /usr/bin or /usr/local/bin (install Debian's redis-server package: apt-get install -y redis-server)");
    }

    private void Stop()
    {
        if (!_server.HasExited)
        {
            _server.Kill();
            _server.WaitForExit(TimeSpan.FromSeconds(10));
        }
    }

    public void Dispose()
    {
        _client?.Dispose();
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

/// <summary>One Redis server for every test class that declares <c>[Collection(RedisCollection.Name)]</c>.</summary>
[CollectionDefinition(Name)]
public sealed class RedisCollection : ICollectionFixture<RedisServer>
{
    public const string Name = "redis";
}

using System.Diagnostics;
using System.Globalization;

namespace EdgeGw.Tests.Infrastructure;

/// <summary>
/// One <c>redis-server</c> process of a <see cref="RedisTopology"/> (a TLS server, a Sentinel, a Cluster
/// node): loopback only, no persistence, its output kept for the failure message. Ready once it logs
/// <c>readyText</c>; a process that exits or stays silent fails the test with its log.
/// </summary>
public sealed class RedisProcess : IDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(20);
    private readonly ProcessLog _log = new();
    private readonly Process _process;

    public RedisProcess(string directory, int port, IEnumerable<string> args, string readyText = "Ready to accept connections", string? configFile = null)
    {
        Port = port;
        _process = new Process
        {
            StartInfo = new ProcessStartInfo(Server) { UseShellExecute = false, WorkingDirectory = directory },
        };
        if (configFile is not null)
            _process.StartInfo.ArgumentList.Add(configFile);
        foreach (var a in (string[])["--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", directory, "--daemonize", "no", "--protected-mode", "no"])
            _process.StartInfo.ArgumentList.Add(a);
        foreach (var a in args)
            _process.StartInfo.ArgumentList.Add(a);
        _log.Start(_process);
        var clock = Stopwatch.StartNew();
        while (!Logged(readyText))
        {
            if (_process.HasExited)
                throw Failure($"redis-server exited with code {_process.ExitCode} while starting");
            if (clock.Elapsed > StartTimeout)
                throw Failure($"redis-server did not log '{readyText}' within {StartTimeout.TotalSeconds} s");
            Thread.Sleep(20);
        }
    }

    public int Port { get; }

    public string Log => _log.Text;

    public bool Logged(string text) => _log.Contains(text);

    public InvalidOperationException Failure(string what) => new($"a Redis test server on port {Port} failed: {what}. Its output:\n{Log}");

    public static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);

    public static int FreePort() => ProcessLog.FreePort();

    private static string Server =>
        ((string[])["/usr/bin/redis-server", "/usr/local/bin/redis-server"]).FirstOrDefault(File.Exists)
        ?? throw new InvalidOperationException("no redis-server in /usr/bin or /usr/local/bin (install Debian's redis-server package: apt-get install -y redis-server)");

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit(TimeSpan.FromSeconds(10));
        }
        _process.Dispose();
    }
}

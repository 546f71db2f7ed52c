using System.Diagnostics;
using static EdgeGw.Tests.Infrastructure.RedisProcess;

namespace EdgeGw.Tests.Infrastructure;

/// <summary>
/// Real Redis deployments other than one plain server, each on fresh loopback ports in a temporary
/// folder: a TLS server with its own CA, a master watched by a Sentinel, a three-node Cluster.
/// Each test builds the one it needs and disposes it (every process is killed, the folder deleted).
/// </summary>
public sealed class RedisTopology : IDisposable
{
    public const string ServiceName = "mymaster";
    private readonly string _root = Directory.CreateTempSubdirectory("edgegw-redis-topology-").FullName;
    private readonly List<RedisProcess> _processes = [];
    private TestCertificateAuthority? _ca;
    private RedisProcess? _sentinel;
    private RedisProcess? _replica;

    private RedisTopology()
    {
    }

    /// <summary>TLS: the TLS port; Sentinel: the master's port; Cluster: the first node's.</summary>
    public int Port => _processes[0].Port;

    /// <summary>Every process's port: the Cluster's nodes, or the master and then the Sentinel.</summary>
    public IReadOnlyList<int> Ports => [.. _processes.Select(p => p.Port)];

    public int SentinelPort => _sentinel?.Port ?? throw new InvalidOperationException("not a Sentinel topology");

    /// <summary>The replica of a Sentinel topology built with one: the master after a failover.</summary>
    public int ReplicaPort => _replica?.Port ?? throw new InvalidOperationException("no replica");

    public TestCertificateAuthority Ca => _ca ?? throw new InvalidOperationException("not a TLS topology");

    public string Folder => _root;

    /// <summary>redis-server serving TLS only, its certificate issued by <see cref="Ca"/> for <paramref name="serverNames"/>.</summary>
    public static RedisTopology Tls(bool requireClientCertificate = false, params string[] serverNames)
    {
        var topology = new RedisTopology();
        return topology.Build(() =>
        {
            topology._ca = new TestCertificateAuthority(topology._root);
            var (cert, key) = topology._ca.Issue("server", client: false, serverNames.Length > 0 ? serverNames : ["127.0.0.1"]);
            var port = FreePort();
            topology.Start(port, ["--port", "0", "--tls-port", Text(port), "--tls-cert-file", cert, "--tls-key-file", key,
                "--tls-ca-cert-file", topology._ca.CaFile, "--tls-auth-clients", requireClientCertificate ? "yes" : "no"]);
        });
    }

    /// <summary>
    /// A master (with <c>requirepass</c> when given), optionally a replica in sync with it, and one Sentinel
    /// watching it as <see cref="ServiceName"/> (started last, so its first look at the master sees the replica).
    /// </summary>
    public static RedisTopology Sentinel(string? masterPassword = null, string? sentinelPassword = null, bool withReplica = false)
    {
        var topology = new RedisTopology();
        return topology.Build(() =>
        {
            var master = FreePort();
            string[] auth = masterPassword is null ? [] : ["--requirepass", masterPassword, "--masterauth", masterPassword];
            topology.Start(master, ["--port", Text(master), .. auth]);
            if (withReplica)
            {
                var replica = FreePort();
                topology._replica = new RedisProcess(topology._root, replica, ["--port", Text(replica), "--replicaof", "127.0.0.1", Text(master), .. auth],
                    "MASTER <-> REPLICA sync: Finished with success");
                topology._processes.Add(topology._replica);
            }
            var sentinel = FreePort();
            var config = Path.Combine(topology._root, "sentinel.conf");
            File.WriteAllLines(config, [
                $"port {Text(sentinel)}",
                $"sentinel monitor {ServiceName} 127.0.0.1 {Text(master)} 1",
                $"sentinel down-after-milliseconds {ServiceName} 2000",
                .. masterPassword is null ? Array.Empty<string>() : [$"sentinel auth-pass {ServiceName} {masterPassword}"],
                .. sentinelPassword is null ? Array.Empty<string>() : [$"requirepass {sentinelPassword}"],
            ]);
            topology._sentinel = new RedisProcess(topology._root, sentinel, ["--sentinel"], withReplica ? "+slave slave" : "+monitor master", configFile: config);
            topology._processes.Add(topology._sentinel);
        });
    }

    /// <summary><paramref name="nodes"/> masters, no replicas, every slot assigned (<c>redis-cli --cluster create</c>), state ok on each.</summary>
    public static RedisTopology Cluster(int nodes = 3)
    {
        var topology = new RedisTopology();
        return topology.Build(() =>
        {
            for (var i = 0; i < nodes; i++)
            {
                var port = FreePort();
                topology.Start(port, ["--port", Text(port), "--cluster-enabled", "yes", "--cluster-config-file", $"nodes-{Text(port)}.conf",
                    "--cluster-node-timeout", "5000"]);
            }
            var created = RedisCli(["--cluster", "create", .. topology.Ports.Select(p => $"127.0.0.1:{Text(p)}"), "--cluster-replicas", "0", "--cluster-yes"]);
            if (!created.Contains("[OK] All 16384 slots covered", StringComparison.Ordinal))
                throw topology._processes[0].Failure($"redis-cli --cluster create said:\n{created}");
            var clock = Stopwatch.StartNew();
            while (!topology.Ports.All(p => RedisCli(["-p", Text(p), "cluster", "info"]).Contains("cluster_state:ok", StringComparison.Ordinal)))
            {
                if (clock.Elapsed > TimeSpan.FromSeconds(30))
                    throw topology._processes[0].Failure("the cluster did not reach cluster_state:ok within 30 s");
                Thread.Sleep(100);
            }
        });
    }

    /// <summary>Runs redis-cli against loopback and returns what it printed.</summary>
    public static string RedisCli(IEnumerable<string> args)
    {
        var info = new ProcessStartInfo("redis-cli") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add("-h");
        info.ArgumentList.Add("127.0.0.1");
        foreach (var a in args)
            info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            process.Kill();
            return "redis-cli timed out after 60 s";
        }
        return output.Result + errors.Result;
    }

    private void Start(int port, string[] args) => _processes.Add(new RedisProcess(_root, port, args));

    private RedisTopology Build(Action build)
    {
        try
        {
            build();
            return this;
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        foreach (var process in _processes)
            process.Dispose();
        _ca?.Dispose();
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

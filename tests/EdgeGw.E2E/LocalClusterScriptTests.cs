using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace EdgeGw.E2E;

/// <summary>
/// deploy/local-cluster.sh, the docker-compose topology on loopback (PostgreSQL, Redis, three native
/// replicas with deploy/config.yaml, nginx with deploy/nginx.conf), used as an operator would.
/// </summary>
public sealed class LocalClusterScriptTests
{
    // Through nginx: a key made on whichever replica, served by all three, its rpm_limit held across them.
    private const string Check = """
        set -eu
        auth="Authorization: Bearer $LITELLM_MASTER_KEY"
        key=$(curl -sf "$EDGEGW_URL/key/generate" -H "$auth" -H 'Content-Type: application/json' -d '{"rpm_limit":5}' \
          | sed -E 's/.*"key":"([^"]+)".*/\1/')
        for url in $EDGEGW_REPLICA_URLS; do
          for _ in $(seq 100); do curl -sf -o /dev/null "$url/v1/models" -H "Authorization: Bearer $key" && break; sleep 0.05; done
        done
        for _ in $(seq 15); do
          curl -s -o /dev/null -w 'STATUS %{http_code}\n' "$EDGEGW_URL/v1/chat/completions" -H "Authorization: Bearer $key" \
            -H 'Content-Type: application/json' -d '{"model":"mock-gpt","messages":[{"role":"user","content":"hi"}]}'
        done
        """;

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "deploy", "local-cluster.sh")))
                return dir.FullName;
        }
        throw new InvalidOperationException("deploy/local-cluster.sh not found above " + AppContext.BaseDirectory);
    }

    /// <summary>A base port with it and the eleven after it free (nginx, replicas, PostgreSQL +10, Redis +11).</summary>
    private static int FreePortBlock()
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            var start = Random.Shared.Next(20_000, 40_000);
            if (Enumerable.Range(start, 12).All(IsFree))
                return start;
        }
        throw new InvalidOperationException("no block of 12 free loopback ports");
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    [Fact]
    public async Task LocalClusterScript_ThreeReplicasBehindNginxShareKeysAndRpmLimit()
    {
        var info = new ProcessStartInfo("bash")
        {
            WorkingDirectory = RepositoryRoot(),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "deploy/local-cluster.sh", "bash", "-c", Check })
            info.ArgumentList.Add(arg);
        info.Environment["EDGEGW_BINARY"] = GatewayProcess.Binary;
        info.Environment["PORT"] = FreePortBlock().ToString(System.Globalization.CultureInfo.InvariantCulture);
        using var script = Process.Start(info)!;
        var stdout = script.StandardOutput.ReadToEndAsync();
        var stderr = script.StandardError.ReadToEndAsync();
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(180)))
        {
            try
            {
                await script.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                script.Kill(entireProcessTree: true);
                throw new TimeoutException("local-cluster.sh did not finish in 180 s: " + await stderr);
            }
        }
        var output = await stdout;
        var log = await stderr;

        Assert.True(script.ExitCode == 0, $"exit {script.ExitCode}: {log}");
        Assert.Contains("→ 3 replicas", log, StringComparison.Ordinal);
        var statuses = output.Split('\n').Where(l => l.StartsWith("STATUS ", StringComparison.Ordinal)).Select(l => l[7..]).ToList();
        Assert.Equal(5, statuses.Count(s => s == "200"));
        Assert.Equal(10, statuses.Count(s => s == "429"));
    }
}

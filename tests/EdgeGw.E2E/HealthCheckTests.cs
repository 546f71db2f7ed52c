using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;

namespace EdgeGw.E2E;

/// <summary><c>edgegw healthcheck</c>, and the binary in a root that holds nothing else (as in distroless).</summary>
public sealed class HealthCheckTests
{
    private const string MockConfig = $"""
        model_list:
          - model_name: mock-gpt
            litellm_params:
              model: mock/mock-gpt
              mock_response: "Hello from an empty root"
        general_settings:
          master_key: {GatewayProcess.MasterKey}
        """;

    [Fact]
    public async Task Healthcheck_ExitsZeroWhileServingAndOneWhenDown()
    {
        var gateway = await GatewayProcess.StartAsync(MockConfig);
        var port = gateway.Port.ToString(CultureInfo.InvariantCulture);
        await using (gateway)
        {
            var (code, _, stderr) = await GatewayProcess.RunToExitAsync(gateway.Directory, "healthcheck", "--port", port);
            Assert.True(code == 0, stderr);
        }
        var (downCode, _, downErr) = await GatewayProcess.RunToExitAsync(gateway.Directory, "healthcheck", "--host", "127.0.0.1", "--port", port);
        Assert.Equal(1, downCode);
        Assert.Contains("/health/liveliness", downErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_NamesHealthcheckAndSignals()
    {
        var (code, stdout, _) = await GatewayProcess.RunToExitAsync(GatewayProcess.NewFolderWithBinary(), "--help");
        Assert.Equal(0, code);
        foreach (var text in new[] { "healthcheck", "SIGTERM", "SIGHUP", "graceful_shutdown_seconds" })
            Assert.Contains(text, stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Healthcheck_BadOption_ExitsTwo()
    {
        var (code, _, stderr) = await GatewayProcess.RunToExitAsync(GatewayProcess.NewFolderWithBinary(), "healthcheck", "--prot", "1");
        Assert.Equal(2, code);
        Assert.Contains("--prot", stderr, StringComparison.Ordinal);
    }

    /// <summary>
    /// The binary in a new mount namespace whose root holds only the binary, the libraries ldd lists,
    /// OpenSSL (libssl.so.3, libcrypto.so.3: .NET's crypto loads them at run time, for SHA-256 of keys
    /// and TLS, so ldd does not list them — distroless/cc ships them), CA certificates and an empty
    /// /tmp. It must serve a mock request and pass its own healthcheck there. Fails (never passes
    /// vacuously) without unshare.
    /// </summary>
    [Fact]
    public async Task EmptyRootWithLddLibrariesAndOpenSsl_ServesMockRequestAndHealthcheck()
    {
        Assert.True(OperatingSystem.IsLinux(), "the distroless proof needs Linux namespaces");
        var (unshareCode, unshareVersion) = await RunAsync("unshare", "--version");
        Assert.True(unshareCode == 0, $"unshare (util-linux) is required for this test and was not found: {unshareVersion}");
        Assert.True((await RunAsync("id", "-u")).Output.Trim() == "0",
            "the distroless proof needs root (unshare --root and mknod for the runtime-provided /dev); run the e2e tests as root or in a privileged container");

        var root = BuildRoot();
        var port = GatewayProcess.FreePort().ToString(CultureInfo.InvariantCulture);
        // A private mount namespace and a chroot into the empty root; the network is the host's (loopback).
        string[] prefix = ["--mount", $"--root={root}", "--fork", "--kill-child"];
        var info = new ProcessStartInfo("unshare") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in prefix.Concat(["/app/edgegw", "--config", "/app/config.yaml", "--host", "127.0.0.1", "--port", port, "--db", "/tmp/edgegw.db"]))
            info.ArgumentList.Add(arg);
        using var process = Process.Start(info)!;
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(10) };
            client.DefaultRequestHeaders.Authorization = new("Bearer", GatewayProcess.MasterKey);
            await WaitLiveAsync(client, process, output);

            using var response = await client.PostAsync("/v1/chat/completions",
                new StringContent("""{"model":"mock-gpt","messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json"));
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, body);
            Assert.Equal("Hello from an empty root",
                JsonDocument.Parse(body).RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());

            var health = await RunAsync("unshare", [.. prefix.Where(a => a != "--kill-child"), "/app/edgegw", "healthcheck", "--port", port]);
            Assert.True(health.Code == 0, $"healthcheck inside the empty root failed: {health.Output}");
        }
        finally
        {
            if (!process.HasExited)
                process.Kill();
            await process.WaitForExitAsync();
            Directory.Delete(root, recursive: true);
        }
    }

    private static string BuildRoot()
    {
        var root = Path.Combine(Path.GetTempPath(), "edgegw-root-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(Path.Combine(root, "app"));
        Directory.CreateDirectory(Path.Combine(root, "tmp"));
        File.Copy(GatewayProcess.Binary, Path.Combine(root, "app", "edgegw"));
        File.SetUnixFileMode(Path.Combine(root, "app", "edgegw"), UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.UserWrite);
        File.WriteAllText(Path.Combine(root, "app", "config.yaml"), MockConfig);
        foreach (var library in LddLibraries(GatewayProcess.Binary))
            CopyInto(root, library);
        foreach (var openSsl in new[] { "libssl.so.3", "libcrypto.so.3" })
        {
            var path = FindLibrary(openSsl);
            CopyInto(root, path);
            foreach (var library in LddLibraries(path))
                CopyInto(root, library);
        }
        foreach (var certs in new[] { "/etc/ssl/certs/ca-certificates.crt" }.Where(File.Exists))
            CopyInto(root, certs);
        // What every container runtime provides in /dev (the image itself has none).
        Directory.CreateDirectory(Path.Combine(root, "dev"));
        foreach (var (name, minor) in new[] { ("null", 3), ("zero", 5), ("random", 8), ("urandom", 9) })
        {
            var (code, output) = RunAsync("mknod", "-m", "666", Path.Combine(root, "dev", name), "c", "1", minor.ToString(CultureInfo.InvariantCulture)).GetAwaiter().GetResult();
            Assert.True(code == 0, $"mknod /dev/{name} failed (this test needs root): {output}");
        }
        return root;
    }

    /// <summary>Absolute paths from <c>ldd</c>: "libm.so.6 => /lib/x86_64-linux-gnu/libm.so.6 (0x…)" and the loader line.</summary>
    private static List<string> LddLibraries(string binary)
    {
        var (code, output) = RunAsync("ldd", binary).GetAwaiter().GetResult();
        Assert.True(code == 0, $"ldd failed: {output}");
        var paths = new List<string>();
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var arrow = line.IndexOf("=> ", StringComparison.Ordinal);
            var path = (arrow >= 0 ? line[(arrow + 3)..] : line).Split(' ')[0];
            if (path.StartsWith('/'))
                paths.Add(path);
        }
        Assert.NotEmpty(paths);
        return paths;
    }

    /// <summary>Where the dynamic loader finds <paramref name="soname"/> (<c>ldconfig -p</c>).</summary>
    private static string FindLibrary(string soname)
    {
        var (_, output) = RunAsync("ldconfig", "-p").GetAwaiter().GetResult();
        var line = output.Split('\n').FirstOrDefault(l => l.TrimStart().StartsWith(soname + " ", StringComparison.Ordinal) && l.Contains("x86-64", StringComparison.Ordinal))
            ?? output.Split('\n').FirstOrDefault(l => l.TrimStart().StartsWith(soname + " ", StringComparison.Ordinal));
        Assert.True(line is not null, $"{soname} is not installed here; the binary needs it at run time (apt-get install libssl3)");
        return line![(line!.IndexOf("=> ", StringComparison.Ordinal) + 3)..].Trim();
    }

    private static void CopyInto(string root, string path)
    {
        var target = Path.Combine(root, path.TrimStart('/'));
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        File.Copy(path, target, overwrite: true); // follows symlinks: the library's contents under its listed name
    }

    private static async Task WaitLiveAsync(HttpClient client, Process process, StringBuilder output)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(20))
        {
            if (process.HasExited)
                throw new InvalidOperationException($"edgegw in the empty root exited with {process.ExitCode}: {output}");
            try
            {
                using var response = await client.GetAsync("/health/liveliness");
                if (response.IsSuccessStatusCode)
                    return;
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }
            await Task.Delay(20);
        }
        throw new TimeoutException($"edgegw in the empty root did not start: {output}");
    }

    private static async Task<(int Code, string Output)> RunAsync(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
            info.ArgumentList.Add(arg);
        try
        {
            using var process = Process.Start(info)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            await process.WaitForExitAsync(cts.Token);
            return (process.ExitCode, await stdout + await stderr);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return (-1, e.Message);
        }
    }
}

using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace EdgeGw.E2E;

/// <summary>
/// A root directory that holds what the distroless image holds: the binary at /app/edgegw, the
/// libraries ldd lists, OpenSSL (libssl.so.3, libcrypto.so.3: .NET's crypto loads them at run time,
/// for SHA-256 of keys and TLS, so ldd does not list them — distroless/cc ships them), CA
/// certificates, an empty /tmp, /app/config.yaml and a /data directory owned by the image's
/// non-root user (65532). Processes run in it through <c>unshare --mount --root</c>; every helper
/// fails (never passes vacuously) without unshare or root.
/// </summary>
public sealed class EmptyRoot : IDisposable
{
    /// <summary>distroless's nonroot user and group.</summary>
    public const int NonRoot = 65532;

    private EmptyRoot(string path) => Path = path;

    public string Path { get; }

    public static async Task<EmptyRoot> CreateAsync(string configYaml)
    {
        Assert.True(OperatingSystem.IsLinux(), "the distroless proof needs Linux namespaces");
        var (unshareCode, unshareVersion) = await RunAsync("unshare", "--version");
        Assert.True(unshareCode == 0, $"unshare (util-linux) is required for this test and was not found: {unshareVersion}");
        Assert.True((await RunAsync("id", "-u")).Output.Trim() == "0",
            "the distroless proof needs root (unshare --root and mknod for the runtime-provided /dev); run the e2e tests as root or in a privileged container");

        var root = new EmptyRoot(System.IO.Path.Combine(System.IO.Path.GetTempPath(), "edgegw-root-" + Guid.NewGuid().ToString("N")[..8]));
        root.Build(configYaml);
        return root;
    }

    /// <summary>The <c>unshare</c> arguments that run a program in this root, as root or as the image's non-root user.</summary>
    public string[] Prefix(bool asNonRoot = false, bool killChild = true) =>
    [
        "--mount", $"--root={Path}", "--fork", .. killChild ? ["--kill-child"] : Array.Empty<string>(),
        .. asNonRoot ? ["--setuid", $"{NonRoot}", "--setgid", $"{NonRoot}"] : Array.Empty<string>(),
    ];

    /// <summary>Starts <paramref name="args"/> (e.g. /app/edgegw …) in the root with <paramref name="environment"/> added; output goes to <paramref name="output"/>.</summary>
    public Process Start(IEnumerable<string> args, StringBuilder output, IDictionary<string, string>? environment = null, bool asNonRoot = false)
    {
        var info = new ProcessStartInfo("unshare") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in Prefix(asNonRoot).Concat(args))
            info.ArgumentList.Add(arg);
        foreach (var (k, v) in environment ?? new Dictionary<string, string>())
            info.Environment[k] = v;
        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>Runs <paramref name="args"/> in the root to completion.</summary>
    public Task<(int Code, string Output)> RunToExitAsync(IEnumerable<string> args, IDictionary<string, string>? environment = null, bool asNonRoot = false) =>
        RunAsync("unshare", [.. Prefix(asNonRoot, killChild: false), .. args], environment);

    public static Task WaitLiveAsync(HttpClient client, Process process, StringBuilder output) =>
        GatewayProcess.WaitLiveAsync(client, process, () => { lock (output) return output.ToString(); });

    /// <summary>
    /// Kills the gateway under unshare first (--kill-child does not reach a child that changed its user
    /// with --setuid), so unshare reaps it and exits rather than leaving an orphan.
    /// </summary>
    public static async Task StopAsync(Process process)
    {
        var children = $"/proc/{process.Id}/task/{process.Id}/children";
        if (!process.HasExited && File.Exists(children))
        {
            foreach (var child in File.ReadAllText(children).Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                using var gateway = Process.GetProcessById(int.Parse(child, CultureInfo.InvariantCulture));
                gateway.Kill();
            }
            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try
            {
                await process.WaitForExitAsync(grace.Token);
            }
            catch (OperationCanceledException)
            {
                // unshare did not exit on its own; killed below
            }
        }
        if (!process.HasExited)
            process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
    }

    public void Dispose() => Directory.Delete(Path, recursive: true);

    private void Build(string configYaml)
    {
        Directory.CreateDirectory(System.IO.Path.Combine(Path, "app"));
        Directory.CreateDirectory(System.IO.Path.Combine(Path, "tmp"));
        File.SetUnixFileMode(System.IO.Path.Combine(Path, "tmp"), (UnixFileMode)Convert.ToInt32("1777", 8));
        var binary = System.IO.Path.Combine(Path, "app", "edgegw");
        File.Copy(GatewayProcess.Binary, binary);
        File.SetUnixFileMode(binary, UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.UserWrite
            | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        File.WriteAllText(System.IO.Path.Combine(Path, "app", "config.yaml"), configYaml);
        // Dockerfile.aot: a `litellm` command on PATH for manifests that replace the entrypoint (k8s `command: [litellm, …]`).
        Directory.CreateDirectory(System.IO.Path.Combine(Path, "usr", "local", "bin"));
        File.CreateSymbolicLink(System.IO.Path.Combine(Path, "usr", "local", "bin", "litellm"), "/app/edgegw");
        // Dockerfile.aot: COPY --chown=65532:65532 of an empty directory to /data.
        var data = System.IO.Path.Combine(Path, "data");
        Directory.CreateDirectory(data);
        var (chownCode, chownOutput) = RunAsync("chown", $"{NonRoot}:{NonRoot}", data).GetAwaiter().GetResult();
        Assert.True(chownCode == 0, $"chown /data failed: {chownOutput}");
        foreach (var library in LddLibraries(GatewayProcess.Binary))
            CopyIn(library);
        foreach (var openSsl in new[] { "libssl.so.3", "libcrypto.so.3" })
        {
            var path = FindLibrary(openSsl);
            CopyIn(path);
            foreach (var library in LddLibraries(path))
                CopyIn(library);
        }
        foreach (var certs in new[] { "/etc/ssl/certs/ca-certificates.crt" }.Where(File.Exists))
            CopyIn(certs);
        // What every container runtime provides in /dev (the image itself has none).
        Directory.CreateDirectory(System.IO.Path.Combine(Path, "dev"));
        foreach (var (name, minor) in new[] { ("null", 3), ("zero", 5), ("random", 8), ("urandom", 9) })
        {
            var (code, output) = RunAsync("mknod", "-m", "666", System.IO.Path.Combine(Path, "dev", name), "c", "1", minor.ToString(CultureInfo.InvariantCulture)).GetAwaiter().GetResult();
            Assert.True(code == 0, $"mknod /dev/{name} failed (this test needs root): {output}");
        }
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

    private void CopyIn(string path)
    {
        var target = System.IO.Path.Combine(Path, path.TrimStart('/'));
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(target)!);
        File.Copy(path, target, overwrite: true); // follows symlinks: the library's contents under its listed name
    }

    public static async Task<(int Code, string Output)> RunAsync(string file, IEnumerable<string> args, IDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
            info.ArgumentList.Add(arg);
        foreach (var (k, v) in environment ?? new Dictionary<string, string>())
            info.Environment[k] = v;
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

    public static Task<(int Code, string Output)> RunAsync(string file, params string[] args) => RunAsync(file, args, null);
}

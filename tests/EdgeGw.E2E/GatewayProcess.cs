using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;

namespace EdgeGw.E2E;

/// <summary>The published native binary, run as an operator would: its own process, its own folder.</summary>
public sealed class GatewayProcess : IAsyncDisposable
{
    public const string MasterKey = "sk-e2e-master-key";
    private readonly Process _process;
    private readonly bool _ownsDirectory;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();

    private GatewayProcess(Process process, string directory, int port, bool ownsDirectory)
    {
        _process = process;
        _ownsDirectory = ownsDirectory;
        Directory = directory;
        Port = port;
        Client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
        Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", MasterKey);
        process.OutputDataReceived += (_, e) => { lock (_stdout) _stdout.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (_stderr) _stderr.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string Directory { get; }
    public int Port { get; }
    public HttpClient Client { get; }
    public int Pid => _process.Id;
    public string Stdout { get { lock (_stdout) return _stdout.ToString(); } }
    public string Stderr { get { lock (_stderr) return _stderr.ToString(); } }

    /// <summary>The binary under test, from EDGEGW_BINARY.</summary>
    public static string Binary
    {
        get
        {
            var path = Environment.GetEnvironmentVariable("EDGEGW_BINARY");
            if (string.IsNullOrEmpty(path) || !File.Exists(path))
                throw new InvalidOperationException("Set EDGEGW_BINARY to the published native binary (dotnet publish src/EdgeGw -c Release -o DIR; DIR/edgegw).");
            return Path.GetFullPath(path);
        }
    }

    // Tests restart gateways on the same folder, so folders go when the test run ends, not per process:
    // each holds a 30 MB copy of the binary, and CI runs left them by the thousand.
    private static readonly System.Collections.Concurrent.ConcurrentBag<string> Folders = CleanUpAtExit();

    private static System.Collections.Concurrent.ConcurrentBag<string> CleanUpAtExit()
    {
        var folders = new System.Collections.Concurrent.ConcurrentBag<string>();
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            foreach (var folder in folders)
            {
                try { System.IO.Directory.Delete(folder, recursive: true); }
                catch (IOException) { } // best effort: a folder still in use is left to the OS's tmp cleaning
                catch (UnauthorizedAccessException) { }
            }
        };
        return folders;
    }

    /// <summary>A fresh folder holding only a copy of the binary, as in a distroless image.</summary>
    public static string NewFolderWithBinary()
    {
        var dir = Path.Combine(Path.GetTempPath(), "edgegw-e2e-" + Guid.NewGuid().ToString("N")[..8]);
        System.IO.Directory.CreateDirectory(dir);
        Folders.Add(dir);
        File.Copy(Binary, Path.Combine(dir, "edgegw"));
        File.SetUnixFileMode(Path.Combine(dir, "edgegw"), UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.UserWrite);
        return dir;
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Writes <paramref name="configYaml"/> into a fresh folder and starts the binary there; waits until it answers.</summary>
    public static async Task<GatewayProcess> StartAsync(string configYaml, string? directory = null, IDictionary<string, string>? environment = null, params string[] extraArgs)
    {
        var owns = directory is null;
        directory ??= NewFolderWithBinary();
        await File.WriteAllTextAsync(Path.Combine(directory, "config.yaml"), configYaml);
        var port = FreePort();
        var process = Launch(directory, environment, ["--config", "config.yaml", "--host", "127.0.0.1", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), .. extraArgs]);
        var gateway = new GatewayProcess(process, directory, port, owns);
        await gateway.WaitUntilLiveAsync();
        return gateway;
    }

    public static Process Launch(string directory, IDictionary<string, string>? environment, IEnumerable<string> args)
    {
        var info = new ProcessStartInfo(Path.Combine(directory, "edgegw"))
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
            info.ArgumentList.Add(arg);
        foreach (var (k, v) in environment ?? new Dictionary<string, string>())
            info.Environment[k] = v;
        // ETXTBSY: a test copying its binary while another test forks holds the copy open for writing in
        // the child until that child execs (Linux); the copy is complete, so the start is retried, bounded.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return Process.Start(info) ?? throw new InvalidOperationException("could not start edgegw");
            }
            catch (System.ComponentModel.Win32Exception e) when (e.NativeErrorCode == TextFileBusy && attempt < 50)
            {
                Thread.Sleep(20);
            }
        }
    }

    private const int TextFileBusy = 26;

    /// <summary>Runs the binary to completion (for --help, bad configs…) and returns its exit code and output.</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunToExitAsync(string directory, params string[] args)
    {
        using var process = Launch(directory, null, args);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await process.WaitForExitAsync(cts.Token);
        return (process.ExitCode, await stdout, await stderr);
    }

    private Task WaitUntilLiveAsync() => WaitLiveAsync(Client, _process, () => Stderr + Stdout);

    /// <summary>Polls <c>/health/liveliness</c> until it answers 2xx; fails with the output when the process exits or 20 s pass.</summary>
    public static async Task WaitLiveAsync(HttpClient client, Process process, Func<string> output)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(20))
        {
            if (process.HasExited)
                throw new InvalidOperationException($"edgegw exited with {process.ExitCode}: {output()}");
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
        throw new TimeoutException($"edgegw did not start: {output()}");
    }

    /// <summary>Sends a signal (e.g. SIGTERM = 15, SIGKILL = 9) to the process.</summary>
    public void Signal(int signal) => _ = Process.Start("kill", $"-{signal} {_process.Id}")!.WaitForExit(5000);

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        // A folder StartAsync made goes with its gateway (a restart in it is disposed first, being declared later);
        // folders a test made itself go when the run ends.
        if (_ownsDirectory)
        {
            try { System.IO.Directory.Delete(Directory, recursive: true); }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
    }
}

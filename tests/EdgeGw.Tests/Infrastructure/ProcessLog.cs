using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace EdgeGw.Tests.Infrastructure;

/// <summary>
/// What a test server process (redis-server, postgres) printed, kept for readiness checks and for the
/// failure message, and the free loopback port such a server is started on.
/// </summary>
public sealed class ProcessLog
{
    private readonly StringBuilder _text = new();

    public string Text
    {
        get
        {
            lock (_text)
                return _text.ToString();
        }
    }

    public bool Contains(string text) => Text.Contains(text, StringComparison.Ordinal);

    /// <summary>Starts <paramref name="process"/> with both of its outputs read into this log.</summary>
    public void Start(Process process)
    {
        process.StartInfo.RedirectStandardOutput = true;
        process.StartInfo.RedirectStandardError = true;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private void Append(string? line)
    {
        if (line is null)
            return;
        lock (_text)
            _text.AppendLine(line);
    }
}

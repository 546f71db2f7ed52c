using System.Net.Sockets;
using System.Text;

namespace EdgeGw.Tests.Infrastructure;

/// <summary>A response read off a raw socket: status, header block and the body (de-chunked).</summary>
public sealed record RawResponse(int Status, string Headers, byte[] Body)
{
    public string BodyText => Encoding.UTF8.GetString(Body);

    public string? Header(string name) =>
        Headers.Split("\r\n").Skip(1).Select(l => l.Split(':', 2)).Where(p => p.Length == 2 && p[0].Trim().Equals(name, StringComparison.OrdinalIgnoreCase))
            .Select(p => p[1].Trim()).FirstOrDefault();
}

/// <summary>
/// Sends exact request bytes (malformed ones included, which HttpClient refuses to produce) on a
/// fresh loopback connection and reads the response until the server closes it or 10 s pass.
/// </summary>
public static class RawHttp
{
    /// <summary>A request with <c>Connection: close</c> and the given extra header lines and body.</summary>
    public static byte[] Request(string method, string target, IEnumerable<string> headerLines, byte[]? body = null, string host = "localhost")
    {
        var head = new StringBuilder($"{method} {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n");
        foreach (var line in headerLines)
            head.Append(line).Append("\r\n");
        if (body is not null)
            head.Append("Content-Length: ").Append(body.Length).Append("\r\n");
        head.Append("\r\n");
        // Latin-1 so a test can put any byte into a header line.
        return [.. Encoding.Latin1.GetBytes(head.ToString()), .. body ?? []];
    }

    public static async Task<RawResponse> SendAsync(Uri server, byte[] request)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(server.Host, server.Port, timeout.Token);
        try
        {
            await socket.SendAsync(request, SocketFlags.None, timeout.Token);
        }
        catch (SocketException)
        {
            // The server may answer and close before reading everything (e.g. huge headers): read what it said.
        }
        var received = new MemoryStream();
        var buffer = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token)) > 0)
                received.Write(buffer, 0, read);
        }
        catch (SocketException) when (received.Length > 0)
        {
            // A reset after the response (unread request bytes) still leaves the response readable.
        }
        return Parse(received.ToArray());
    }

    public static RawResponse Parse(byte[] bytes)
    {
        var text = Encoding.Latin1.GetString(bytes);
        var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        if (end < 0)
            throw new InvalidDataException($"no complete response header in {bytes.Length} bytes: {text[..Math.Min(text.Length, 200)]}");
        var headers = text[..end];
        var status = int.Parse(headers.AsSpan(9, 3), System.Globalization.CultureInfo.InvariantCulture);
        var body = bytes.AsSpan(end + 4).ToArray();
        var response = new RawResponse(status, headers, body);
        return response.Header("Transfer-Encoding")?.Contains("chunked", StringComparison.OrdinalIgnoreCase) == true ? response with { Body = Dechunk(body) } : response;
    }

    private static byte[] Dechunk(byte[] body)
    {
        var output = new MemoryStream();
        var at = 0;
        while (at < body.Length)
        {
            var lineEnd = body.AsSpan(at).IndexOf("\r\n"u8);
            if (lineEnd < 0)
                break;
            var size = Convert.ToInt32(Encoding.ASCII.GetString(body, at, lineEnd).Split(';')[0], 16);
            at += lineEnd + 2;
            if (size == 0)
                break;
            output.Write(body, at, Math.Min(size, body.Length - at));
            at += size + 2;
        }
        return output.ToArray();
    }
}

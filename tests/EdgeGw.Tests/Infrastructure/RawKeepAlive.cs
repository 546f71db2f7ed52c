using System.Net;
using System.Net.Sockets;
using System.Text;

namespace EdgeGw.Tests.Infrastructure;

/// <summary>
/// An HTTP/1.1 client and upstream on blocking loopback sockets that allocate nothing per request
/// (pre-encoded bytes, one reused buffer, no parsing beyond framing): with both, the process's
/// allocated bytes per request are the gateway's alone. FakeUpstream and HttpClient allocate ~8 KB
/// a request of their own, more than the gateway.
/// </summary>
public static class RawKeepAlive
{
    private const int ReceiveTimeoutMs = 10_000;

    /// <summary>Reads one message (Content-Length or chunked) into <paramref name="buffer"/>; its length, or -1 when the peer closed.</summary>
    public static int ReadMessage(Socket socket, byte[] buffer)
    {
        int length = 0, headEnd = -1;
        while (headEnd < 0)
        {
            if (!Receive(socket, buffer, ref length))
                return -1;
            headEnd = buffer.AsSpan(0, length).IndexOf("\r\n\r\n"u8);
        }
        headEnd += 4;
        var bodyLength = ContentLength(buffer.AsSpan(0, headEnd));
        // Chunked (HttpClient's choice for some bodies): read to the last chunk; tests send no trailers.
        while (bodyLength < 0 ? !buffer.AsSpan(headEnd, length - headEnd).EndsWith("0\r\n\r\n"u8) : length < headEnd + bodyLength)
        {
            if (!Receive(socket, buffer, ref length))
                return -1;
        }
        return length;
    }

    private static bool Receive(Socket socket, byte[] buffer, ref int length)
    {
        if (length == buffer.Length)
            throw new InvalidDataException("message larger than the buffer");
        var read = socket.Receive(buffer, length, buffer.Length - length, SocketFlags.None);
        length += read;
        return read > 0;
    }

    private static int ContentLength(ReadOnlySpan<byte> head)
    {
        const string name = "\r\ncontent-length:";
        for (var i = 0; i + name.Length <= head.Length; i++)
        {
            var match = true;
            for (var j = 0; j < name.Length && match; j++)
                match = (head[i + j] is >= (byte)'A' and <= (byte)'Z' ? head[i + j] | 0x20 : head[i + j]) == name[j];
            if (!match)
                continue;
            var at = i + name.Length;
            while (head[at] == ' ')
                at++;
            var value = 0;
            while (head[at] is >= (byte)'0' and <= (byte)'9')
                value = value * 10 + head[at++] - '0';
            return value;
        }
        return -1;
    }

    /// <summary>A POST with a JSON body, kept alive.</summary>
    public static byte[] Post(string path, string? bearer, string json) => Encoding.ASCII.GetBytes(
        $"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        + (bearer is null ? "" : $"Authorization: Bearer {bearer}\r\n")
        + $"Content-Length: {Encoding.UTF8.GetByteCount(json)}\r\n\r\n{json}");

    /// <summary>A 200 JSON answer with the headers a real upstream sends.</summary>
    public static byte[] JsonAnswer(string json) => Encoding.ASCII.GetBytes(
        $"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {Encoding.UTF8.GetByteCount(json)}\r\n"
        + $"Date: Tue, 01 Dec 2026 00:00:00 GMT\r\nServer: nginx\r\n\r\n{json}");

    /// <summary>Answers every request on every connection with the same bytes; a thread per connection.</summary>
    public sealed class Upstream : IDisposable
    {
        private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        private readonly byte[] _answer;

        public Upstream(byte[] answer)
        {
            _answer = answer;
            _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            _listener.Listen(16);
            Port = ((IPEndPoint)_listener.LocalEndPoint!).Port;
            new Thread(Accept) { IsBackground = true, Name = "raw upstream" }.Start();
        }

        public int Port { get; }

        private void Accept()
        {
            while (true)
            {
                Socket connection;
                try
                {
                    connection = _listener.Accept();
                }
                catch (Exception e) when (e is SocketException or ObjectDisposedException)
                {
                    return; // disposed
                }
                new Thread(() => Serve(connection)) { IsBackground = true, Name = "raw upstream connection" }.Start();
            }
        }

        private void Serve(Socket connection)
        {
            using (connection)
            {
                connection.NoDelay = true;
                var buffer = new byte[64 * 1024];
                try
                {
                    while (ReadMessage(connection, buffer) > 0)
                        connection.Send(_answer);
                }
                catch (Exception)
                {
                    // The gateway closed its pooled connection (or sent what this server does not read): never the test host's crash.
                }
            }
        }

        public void Dispose() => _listener.Dispose();
    }

    /// <summary>One kept-alive connection sending the same request again and again.</summary>
    public sealed class Client : IDisposable
    {
        private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp)
        {
            NoDelay = true,
            ReceiveTimeout = ReceiveTimeoutMs,
            SendTimeout = ReceiveTimeoutMs,
        };
        private readonly byte[] _request;
        private readonly byte[] _buffer = new byte[64 * 1024];
        private int _length;

        public Client(int port, byte[] request)
        {
            _request = request;
            _socket.Connect(IPAddress.Loopback, port);
        }

        /// <summary>Sends the request and reads the answer; its status code.</summary>
        public int Send()
        {
            _socket.Send(_request);
            _length = ReadMessage(_socket, _buffer);
            if (_length < 12)
                throw new IOException("the gateway closed the connection");
            return (_buffer[9] - '0') * 100 + (_buffer[10] - '0') * 10 + (_buffer[11] - '0');
        }

        /// <summary>The last answer, head and body (for asserts outside the measured loop).</summary>
        public string Last => Encoding.UTF8.GetString(_buffer, 0, _length);

        public void Dispose() => _socket.Dispose();
    }
}

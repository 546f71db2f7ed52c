using System.Net;
using System.Net.Sockets;
using System.Text;
using EdgeGw.Config;
using EdgeGw.Shared;
using StackExchange.Redis;

namespace EdgeGw.Tests.Shared;

/// <summary>
/// The admission line calls settlement unread only where <c>CLIENT REPLY SKIP</c> is honoured: against a server (or a
/// proxy in front of one) that answers every command anyway, an unread call's reply would be taken as the next
/// admission's. A loopback server speaking RESP shows both cases.
/// </summary>
public sealed class ReplySkipProbeTests
{
    private static readonly RedisScript Settle = RedisScript.Embedded("settle.lua");

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ServerHonoursReplySkipOrNot_SettlementUnreadOnlyWhereItIs(bool honours)
    {
        using var server = new RespServer(honours);
        await using var line = RedisAdmitLine.For(new RedisSettings { Source = "test", Host = "127.0.0.1", Port = server.Port, Timeout = TimeSpan.FromSeconds(5) }, Settle)!;
        Task<long[]>? admit = null;
        for (var i = 0; i < 100 && admit is null; i++)
        {
            admit = line.TryEvalSha("0123456789abcdef0123456789abcdef01234567"u8, ["k"], [1]);
            if (admit is null)
                await Task.Delay(50);
        }
        Assert.NotNull(admit);
        var first = await admit.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(new long[] { 7 }, first);

        var unread = line.TryCallUnread(Settle, ["k"], [1]);
        var next = await line.TryEvalSha("0123456789abcdef0123456789abcdef01234567"u8, ["k"], [2])!.WaitAsync(TimeSpan.FromSeconds(5));

        Assert.Equal(honours, unread);
        Assert.Equal(new long[] { 7 }, next); // the admission's own answer, not the settlement's
    }

    /// <summary>Answers the line's commands as Redis 7 would, honouring CLIENT REPLY SKIP or not; EVALSHA answers {7}, FCALL 0.</summary>
    private sealed class RespServer : IDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();

        public RespServer(bool honours)
        {
            _listener.Start();
            _ = ServeAsync(honours);
        }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        private async Task ServeAsync(bool honours)
        {
            using var client = await _listener.AcceptTcpClientAsync(_stop.Token);
            var stream = client.GetStream();
            var reader = new StreamReader(stream, Encoding.Latin1);
            var skip = false;
            while (!_stop.IsCancellationRequested && await ReadCommandAsync(reader) is { } command)
            {
                var name = string.Join(' ', command.Take(2)).ToUpperInvariant();
                var reply = name switch
                {
                    "CLIENT REPLY" when honours => null,
                    "FUNCTION LOAD" => "$4\r\nname\r\n",
                    "ECHO SKIPS?" => "$6\r\nskips?\r\n",
                    "PING" => "+PONG\r\n",
                    _ when name.StartsWith("EVALSHA", StringComparison.Ordinal) => "*1\r\n:7\r\n",
                    _ when name.StartsWith("FCALL", StringComparison.Ordinal) => ":0\r\n",
                    _ => "+OK\r\n",
                };
                if (reply is null)
                {
                    skip = true;
                    continue;
                }
                if (skip)
                {
                    skip = false;
                    continue;
                }
                await stream.WriteAsync(Encoding.Latin1.GetBytes(reply));
            }
        }

        // One command: an array of bulk strings (what the line sends), or null at the end of the stream.
        private static async Task<string[]?> ReadCommandAsync(StreamReader reader)
        {
            if (await reader.ReadLineAsync() is not { } header)
                return null;
            var parts = new string[int.Parse(header[1..], System.Globalization.CultureInfo.InvariantCulture)];
            for (var i = 0; i < parts.Length; i++)
            {
                var length = int.Parse((await reader.ReadLineAsync())![1..], System.Globalization.CultureInfo.InvariantCulture);
                var buffer = new char[length + 2];
                await reader.ReadBlockAsync(buffer);
                parts[i] = new string(buffer, 0, length);
            }
            return parts;
        }

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Stop();
            _stop.Dispose();
        }
    }
}

using System.Net;
using System.Net.Sockets;
using System.Text;
using EdgeGw.Api;
using EdgeGw.Config;
using EdgeGw.Tests.Infrastructure;
using Microsoft.Extensions.Logging;

namespace EdgeGw.Tests.Api;

/// <summary>Kestrel limits: a connection that never sends a request does not hold a descriptor for the keep-alive time.</summary>
public sealed class ConnectionLimitsTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    private static Task WithGatewayAsync(Func<Uri, Task> body) =>
        WithGatewayAsync(new ListenOptions(IPAddress.Loopback, 0) { RequestHeadersTimeout = TimeSpan.FromSeconds(1) }, body);

    private static async Task WithGatewayAsync(ListenOptions listen, Func<Uri, Task> body)
    {
        var config = ConfigLoader.Parse($"""
            model_list:
              - model_name: mock-gpt
                litellm_params:
                  model: mock/mock-gpt
            general_settings:
              master_key: {TestGateway.MasterKey}
            """, _ => null);
        var database = TestGateway.NewDatabasePath();
        await using (var app = GatewayHost.Build(config, listen, logging: l => l.ClearProviders(), databasePath: database))
        {
            await app.StartAsync();
            await body(GatewayHost.BoundAddress(app));
            await app.StopAsync();
        }
        TestGateway.DeleteDatabase(database);
    }

    /// <summary>Reads until the server closes the connection (0 bytes or a reset), or the bound passes.</summary>
    private static async Task<bool> ClosedByServerAsync(NetworkStream stream)
    {
        using var bound = new CancellationTokenSource(Bound);
        var buffer = new byte[4096];
        try
        {
            while (await stream.ReadAsync(buffer, bound.Token) > 0) { }
            return true;
        }
        catch (IOException)
        {
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    [Fact]
    public async Task SilentConnection_ClosedAfterHeadersTimeout()
    {
        await WithGatewayAsync(async address =>
        {
            using var tcp = new TcpClient();
            await tcp.ConnectAsync(address.Host, address.Port);
            Assert.True(await ClosedByServerAsync(tcp.GetStream()));
        });
    }

    [Fact]
    public async Task PromptRequestOnNewConnection_IsAnswered()
    {
        await WithGatewayAsync(async address =>
        {
            using var tcp = new TcpClient();
            await tcp.ConnectAsync(address.Host, address.Port);
            var stream = tcp.GetStream();
            await stream.WriteAsync(Encoding.ASCII.GetBytes($"GET /health/liveliness HTTP/1.1\r\nHost: {address.Authority}\r\nConnection: close\r\n\r\n"));
            using var reader = new StreamReader(stream, Encoding.ASCII);
            Assert.StartsWith("HTTP/1.1 200", await reader.ReadLineAsync(), StringComparison.Ordinal);
        });
    }

    private static async Task<string> StatusLineAsync(Uri address)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(address.Host, address.Port);
        var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"GET /health/liveliness HTTP/1.1\r\nHost: {address.Authority}\r\nConnection: close\r\n\r\n"));
        using var reader = new StreamReader(stream, Encoding.ASCII);
        return await reader.ReadLineAsync() ?? "";
    }

    [Fact]
    public async Task SilentConnectionsAtTheCap_NewClientTakesTheOldestPlaceAndIsAnswered()
    {
        // Headers timeout far beyond the test: only eviction can make room.
        var listen = new ListenOptions(IPAddress.Loopback, 0) { MaxConnections = 8, RequestHeadersTimeout = TimeSpan.FromMinutes(5) };
        await WithGatewayAsync(listen, async address =>
        {
            var silent = new List<TcpClient>();
            try
            {
                for (var i = 0; i < 8; i++)
                {
                    var tcp = new TcpClient();
                    silent.Add(tcp);
                    await tcp.ConnectAsync(address.Host, address.Port);
                }
                await Task.Delay(200); // let the server take all eight in before the newcomer

                Assert.StartsWith("HTTP/1.1 200", await StatusLineAsync(address), StringComparison.Ordinal);
                Assert.True(await ClosedByServerAsync(silent[0].GetStream()), "the oldest silent connection was not closed to make room");
            }
            finally
            {
                foreach (var tcp in silent)
                    tcp.Dispose();
            }
        });
    }

    [Fact]
    public async Task BusyConnectionsAtTheCap_AreNotEvictedAndNewcomerIsRefused()
    {
        var listen = new ListenOptions(IPAddress.Loopback, 0) { MaxConnections = 2, RequestHeadersTimeout = TimeSpan.FromMinutes(5) };
        await WithGatewayAsync(listen, async address =>
        {
            // Two keep-alive connections that have each been answered: they are clients, not a flood.
            using var first = new HttpClient(new SocketsHttpHandler()) { BaseAddress = address };
            using var second = new HttpClient(new SocketsHttpHandler()) { BaseAddress = address };
            Assert.Equal(HttpStatusCode.OK, (await first.GetAsync("/health/liveliness")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await second.GetAsync("/health/liveliness")).StatusCode);

            await Assert.ThrowsAnyAsync<Exception>(() => StatusLineWithinAsync(address));
            Assert.Equal(HttpStatusCode.OK, (await first.GetAsync("/health/liveliness")).StatusCode);
        });
    }

    /// <summary>A refused connection is closed at once: reading its status line fails (reset or end of stream).</summary>
    private static async Task StatusLineWithinAsync(Uri address)
    {
        var line = await StatusLineAsync(address).WaitAsync(Bound);
        if (line.Length == 0)
            throw new IOException("closed without an answer");
    }
}

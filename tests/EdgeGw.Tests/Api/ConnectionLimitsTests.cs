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

    private static async Task WithGatewayAsync(Func<Uri, Task> body)
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
        var listen = new ListenOptions(IPAddress.Loopback, 0) { RequestHeadersTimeout = TimeSpan.FromSeconds(1) };
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
}

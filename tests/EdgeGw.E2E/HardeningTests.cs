using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using EdgeGw.Tests.Infrastructure;
using Xunit.Abstractions;

namespace EdgeGw.E2E;

/// <summary>
/// Issue 14's process-level guarantees on the native binary: idle connection floods, the
/// request-headers timeout, admin-only /metrics and /health, and the malformed-input fuzz corpus.
/// </summary>
public sealed class HardeningTests(ITestOutputHelper output)
{
    private const string Config = $"""
        model_list:
          - model_name: mock-gpt
            litellm_params:
              model: mock/mock-gpt
              mock_response: "hello"
        general_settings:
          master_key: {GatewayProcess.MasterKey}
        """;

    private static async Task<string> NewVirtualKeyAsync(GatewayProcess gateway)
    {
        using var response = await gateway.Client.PostAsync("/key/generate", new StringContent("""{"models":["mock-gpt"]}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("key").GetString()!;
    }

    private static HttpClient ClientWith(GatewayProcess gateway, string key) => new()
    {
        BaseAddress = gateway.Client.BaseAddress,
        Timeout = TimeSpan.FromSeconds(10),
        DefaultRequestHeaders = { Authorization = new AuthenticationHeaderValue("Bearer", key) },
    };

    private static int SoftDescriptorLimit()
    {
        var line = File.ReadLines("/proc/self/limits").First(l => l.StartsWith("Max open files", StringComparison.Ordinal));
        var soft = line["Max open files".Length..].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
        return soft == "unlimited" ? int.MaxValue : int.Parse(soft, System.Globalization.CultureInfo.InvariantCulture);
    }

    private static int OpenDescriptors(int pid) => Directory.GetFiles($"/proc/{pid}/fd").Length;

    private static long RssKb(int pid) =>
        long.Parse(File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1],
            System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task TwentyThousandIdleConnections_KeyedRequestStillAnswers()
    {
        // 20,000 idle sockets, or as many as this process's descriptor limit leaves room for.
        var count = Math.Min(20_000, SoftDescriptorLimit() - 1_000);
        // Default limits: 10,000 connections, 30 s to send request headers.
        await using var gateway = await GatewayProcess.StartAsync(Config);
        var key = await NewVirtualKeyAsync(gateway);
        using var established = ClientWith(gateway, key);
        using (var warm = await established.GetAsync("/v1/models"))
            Assert.Equal(HttpStatusCode.OK, warm.StatusCode);

        var sockets = new List<Socket>(count);
        try
        {
            var opening = Stopwatch.StartNew();
            using (var bound = new CancellationTokenSource(TimeSpan.FromSeconds(90)))
            {
                for (var batch = 0; batch < count && !bound.IsCancellationRequested; batch += 500)
                {
                    var opened = await Task.WhenAll(Enumerable.Range(0, Math.Min(500, count - batch)).Select(async _ =>
                    {
                        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
                        try
                        {
                            await socket.ConnectAsync(IPAddress.Loopback, gateway.Port, bound.Token);
                        }
                        catch (Exception e) when (e is SocketException or OperationCanceledException)
                        {
                            // Refused or still queued: it stays counted as an attempt, not an open connection.
                        }
                        return socket;
                    }));
                    sockets.AddRange(opened);
                }
            }
            var connected = sockets.Count(s => s.Connected);
            var serverDescriptors = OpenDescriptors(gateway.Pid);
            output.WriteLine($"opened {connected} of {count} idle connections in {opening.Elapsed.TotalSeconds:0.0} s; edgegw holds {serverDescriptors} descriptors, RSS {RssKb(gateway.Pid) / 1024} MB");

            // A client already connected keeps being served during the flood.
            var onEstablished = Stopwatch.StartNew();
            using (var response = await established.PostAsync("/v1/chat/completions", new StringContent("""{"model":"mock-gpt","messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json")))
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            output.WriteLine($"keyed request on an established connection: {onEstablished.Elapsed.TotalMilliseconds:0} ms");

            // A new client gets in at the latest when the first silent connections reach the 30 s headers timeout; bounded at 60 s.
            var onNew = Stopwatch.StartNew();
            HttpStatusCode? status = null;
            while (status != HttpStatusCode.OK && onNew.Elapsed < TimeSpan.FromSeconds(60))
            {
                using var fresh = ClientWith(gateway, key);
                try
                {
                    using var response = await fresh.GetAsync("/v1/models");
                    status = response.StatusCode;
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    await Task.Delay(250);
                }
            }
            output.WriteLine($"keyed request on a new connection answered {status} after {onNew.Elapsed.TotalSeconds:0.0} s; edgegw then holds {OpenDescriptors(gateway.Pid)} descriptors");
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.True(serverDescriptors < 10_000 + 200, $"edgegw held {serverDescriptors} descriptors: more than its 10,000-connection cap");
        }
        finally
        {
            foreach (var socket in sockets)
                socket.Dispose();
        }
    }

    [Fact]
    public async Task SilentConnection_ClosedAtRequestHeadersTimeout()
    {
        await using var gateway = await GatewayProcess.StartAsync(Config, environment: new Dictionary<string, string> { ["EDGEGW_REQUEST_HEADERS_TIMEOUT"] = "1" });
        using var silent = new TcpClient();
        await silent.ConnectAsync(IPAddress.Loopback, gateway.Port);
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var read = await ReadToEndAsync(silent.GetStream(), bound.Token);
        Assert.False(bound.IsCancellationRequested, "the silent connection was still open after 20 s");
        Assert.Empty(read);
    }

    [Fact]
    public async Task HeadersStoppingHalfway_408InJsonEnvelopeThenClosed()
    {
        await using var gateway = await GatewayProcess.StartAsync(Config, environment: new Dictionary<string, string> { ["EDGEGW_REQUEST_HEADERS_TIMEOUT"] = "1" });
        using var slow = new TcpClient();
        await slow.ConnectAsync(IPAddress.Loopback, gateway.Port);
        await slow.GetStream().WriteAsync("GET /v1/models HTTP/1.1\r\nHost: x\r\n"u8.ToArray());
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var response = RawHttp.Parse(await ReadToEndAsync(slow.GetStream(), bound.Token));
        Assert.Equal(408, response.Status);
        Assert.Equal("408", JsonDocument.Parse(response.Body).RootElement.GetProperty("error").GetProperty("code").GetString());
    }

    private static async Task<byte[]> ReadToEndAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        var received = new MemoryStream();
        var buffer = new byte[4096];
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer, cancellationToken)) > 0)
                received.Write(buffer, 0, read);
        }
        catch (IOException)
        {
            // a reset is a close too
        }
        catch (OperationCanceledException)
        {
            // bounded: the caller checks the token
        }
        return received.ToArray();
    }

    [Theory]
    [InlineData("/metrics")]
    [InlineData("/health")]
    public async Task AdminOnlyRoute_RefusesVirtualKeyServesMaster(string path)
    {
        await using var gateway = await GatewayProcess.StartAsync(Config);
        using var client = ClientWith(gateway, await NewVirtualKeyAsync(gateway));

        using var refused = await client.GetAsync(path);
        using var served = await gateway.Client.GetAsync(path);

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal("auth_error", JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetProperty("type").GetString());
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
    }

    [Fact]
    public async Task MalformedRequestsAtEveryRoute_NoServerErrorAndProcessAlive()
    {
        await using var gateway = await GatewayProcess.StartAsync(Config);
        foreach (var (path, body) in new[]
        {
            ("/team/new", """{"team_id":"fuzz-team"}"""),
            ("/user/new", """{"user_id":"fuzz-user"}"""),
            ("/key/generate", """{"key":"sk-fuzz-existing-key-0001","team_id":"fuzz-team"}"""),
        })
        {
            using var created = await gateway.Client.PostAsync(path, new StringContent(body, Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        }
        var corpus = FuzzCorpus.Build(GatewayProcess.MasterKey, bodiesPerRoute: 10);
        var server = new Uri($"http://127.0.0.1:{gateway.Port}");
        var failures = new List<string>();
        foreach (var fuzz in corpus)
        {
            var response = await RawHttp.SendAsync(server, fuzz.Bytes);
            if (FuzzCorpus.Check(fuzz, response) is { } problem)
                failures.Add($"{fuzz.Route.Method} {fuzz.Target[..Math.Min(80, fuzz.Target.Length)]} [{fuzz.Description}] → {problem}");
        }
        output.WriteLine($"{corpus.Count} malformed requests sent to the binary");
        Assert.True(failures.Count == 0, $"{failures.Count} of {corpus.Count} failed:\n" + string.Join('\n', failures.Take(40)));

        using var alive = await gateway.Client.PostAsync("/v1/chat/completions", new StringContent("""{"model":"mock-gpt","messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
        Assert.DoesNotContain("Unhandled", gateway.Stderr + gateway.Stdout, StringComparison.Ordinal);
    }
}

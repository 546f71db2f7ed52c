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
    internal const string Config = $"""
        model_list:
          - model_name: mock-gpt
            litellm_params:
              model: mock/mock-gpt
              mock_response: "hello"
        general_settings:
          master_key: {GatewayProcess.MasterKey}
          # The model-management routes answer their real work, not the "store_model_in_db is off" refusal.
          store_model_in_db: true
        """;

    internal static async Task<string> NewVirtualKeyAsync(GatewayProcess gateway)
    {
        using var response = await gateway.Client.PostAsync("/key/generate", new StringContent("""{"models":["mock-gpt"]}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("key").GetString()!;
    }

    internal static HttpClient ClientWith(GatewayProcess gateway, string key) => new()
    {
        BaseAddress = gateway.Client.BaseAddress,
        Timeout = TimeSpan.FromSeconds(10),
        DefaultRequestHeaders = { Authorization = new AuthenticationHeaderValue("Bearer", key) },
    };

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
        // With a local response cache, so its /cache routes answer (without one they are LiteLLM's 503).
        await using var gateway = await GatewayProcess.StartAsync(Config + "\nlitellm_settings: { cache: true, cache_params: { type: local } }\n");
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

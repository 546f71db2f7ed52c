using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Text;
using EdgeGw.Upstream;
using Xunit.Abstractions;

namespace EdgeGw.Tests.Upstream;

/// <summary>
/// Bytes allocated per upstream call (send the spliced body, read the answer, give the connection back)
/// by the Pipelines client against HttpClient, on one loopback server that allocates nothing per
/// request. Whole-process counts, so the class runs alone.
/// </summary>
[Collection(nameof(Http1AllocationTests))]
public sealed class Http1AllocationTests(ITestOutputHelper output)
{
    private const int Requests = 3_000;
    private const string AnswerJson = """{"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"gpt-4o-mini","choices":[{"index":0,"message":{"role":"assistant","content":"Hello! How can I help you today?"},"finish_reason":"stop"}],"usage":{"prompt_tokens":9,"completion_tokens":9,"total_tokens":18}}""";
    private static readonly byte[] Answer = Encoding.ASCII.GetBytes(
        $"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nDate: Tue, 01 Dec 2026 12:00:00 GMT\r\nx-request-id: req_1\r\nContent-Length: {AnswerJson.Length}\r\n\r\n{AnswerJson}");
    private static readonly byte[] Body = Encoding.UTF8.GetBytes("""{"model":"gpt","messages":[{"role":"user","content":"hi"}]}""");
    private static readonly ReadOnlyMemory<byte> ModelId = "\"gpt-4o-mini\""u8.ToArray();

    [Fact]
    public async Task SendAndReadAnswer_AllocatesFarLessThanHttpClient()
    {
        using var server = new BlockingServer(Answer);
        var uri = new Uri($"http://127.0.0.1:{server.Port}/v1/chat/completions");
        using var clients = new UpstreamClients();
        var route = new UpstreamRoute(clients, uri, [new("Authorization", "Bearer sk-upstream")]);
        Assert.True(route.UsesPipelines || UpstreamClientSwitch.HttpClientOnly);
        var buffer = new byte[4096];
        var failures = 0; // counted, not asserted in the loop: xunit's Assert.Equal allocates per call

        // Pooled builders for the harness's own async methods: the count is the client's, not the test's state machines.
        [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
        async ValueTask Pipelines()
        {
            using var timeout = new CancellationTokenSource();
            var (response, error) = await route.SendAsync(new SplicedBody(Body, new Splice(9, 5, ModelId), Splice.None), null, null, timeout,
                TimeSpan.FromSeconds(30), "gpt", CancellationToken.None);
            failures += error is null ? 0 : 1;
            using (response)
                failures += await ReadAllAsync(await response.BodyAsync(CancellationToken.None), buffer);
        }

        var invoker = clients.For(uri);
        [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
        async ValueTask HttpClient()
        {
            using var timeout = new CancellationTokenSource();
            using var message = new HttpRequestMessage(HttpMethod.Post, uri) { Content = new SplicedJsonContent(Body, new Splice(9, 5, ModelId), Splice.None) };
            UpstreamClients.SetVersion(message);
            message.Headers.TryAddWithoutValidation("Authorization", "Bearer sk-upstream");
            var (response, error) = await UpstreamSend.SendAsync(invoker, message, timeout, TimeSpan.FromSeconds(30), "gpt", CancellationToken.None);
            failures += error is null ? 0 : 1;
            using (response)
                failures += await ReadAllAsync(await response!.Content.ReadAsStreamAsync(), buffer);
        }

        var pipelines = await PerRequestAsync(Pipelines);
        var httpClient = await PerRequestAsync(HttpClient);
        output.WriteLine($"allocated per request: Pipelines client {pipelines} B, HttpClient {httpClient} B");
        Assert.Equal(0, failures);

        if (UpstreamClientSwitch.HttpClientOnly)
            return; // both loops ran HttpClient
        // Measured 2026-12-01: 288 B vs HttpClient's 2,243 B. The 288 B are the endpoint's per-request
        // CancellationTokenSource, its timer and the token registrations: with a long-lived one the client allocates nothing.
        Assert.True(pipelines <= 400, $"{pipelines} B per request");
        Assert.True(pipelines * 5 < httpClient, $"{pipelines} B vs HttpClient's {httpClient} B");
    }

    /// <summary>Reads the answer to its end; 1 when it was not the whole answer.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private static async ValueTask<int> ReadAllAsync(Stream body, byte[] buffer)
    {
        var total = 0;
        int read;
        while ((read = await body.ReadAsync(buffer)) > 0)
            total += read;
        return total == AnswerJson.Length ? 0 : 1;
    }

    /// <summary>The least, over three rounds, of the whole process's bytes per call: one-offs (tier-up, a pool growing) land in one round only.</summary>
    private static async Task<long> PerRequestAsync(Func<ValueTask> call)
    {
        for (var i = 0; i < 2_000; i++)
            await call();
        var least = long.MaxValue;
        for (var round = 0; round < 3; round++)
        {
            var before = GC.GetTotalAllocatedBytes(precise: true);
            for (var i = 0; i < Requests; i++)
                await call();
            least = Math.Min(least, (GC.GetTotalAllocatedBytes(precise: true) - before) / Requests);
        }
        return least;
    }

    /// <summary>Blocking sockets on their own threads, a fixed buffer and a fixed answer: nothing allocated per request.</summary>
    private sealed class BlockingServer : IDisposable
    {
        private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);

        public BlockingServer(byte[] answer)
        {
            _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            _listener.Listen(16);
            Port = ((IPEndPoint)_listener.LocalEndPoint!).Port;
            new Thread(() =>
            {
                while (true)
                {
                    Socket connection;
                    try
                    {
                        connection = _listener.Accept();
                    }
                    catch (SocketException)
                    {
                        return;
                    }
                    catch (ObjectDisposedException)
                    {
                        return;
                    }
                    new Thread(() => Serve(connection, answer)) { IsBackground = true }.Start();
                }
            }) { IsBackground = true }.Start();
        }

        public int Port { get; }

        private static void Serve(Socket connection, byte[] answer)
        {
            connection.NoDelay = true;
            var buffer = new byte[64 * 1024];
            var buffered = 0;
            try
            {
                while (true)
                {
                    int headEnd;
                    while ((headEnd = buffer.AsSpan(0, buffered).IndexOf("\r\n\r\n"u8)) < 0)
                    {
                        var read = connection.Receive(buffer, buffered, buffer.Length - buffered, SocketFlags.None);
                        if (read == 0)
                            return;
                        buffered += read;
                    }
                    var total = headEnd + 4 + ContentLength(buffer.AsSpan(0, headEnd));
                    while (buffered < total)
                    {
                        var read = connection.Receive(buffer, buffered, buffer.Length - buffered, SocketFlags.None);
                        if (read == 0)
                            return;
                        buffered += read;
                    }
                    buffer.AsSpan(total, buffered - total).CopyTo(buffer);
                    buffered -= total;
                    connection.Send(answer);
                }
            }
            catch (SocketException)
            {
            }
            finally
            {
                connection.Dispose();
            }
        }

        private static int ContentLength(ReadOnlySpan<byte> head)
        {
            var at = head.IndexOf("Content-Length: "u8);
            var length = 0;
            for (var i = at + 16; i < head.Length && head[i] is >= (byte)'0' and <= (byte)'9'; i++)
                length = length * 10 + head[i] - '0';
            return length;
        }

        public void Dispose() => _listener.Dispose();
    }
}

[CollectionDefinition(nameof(Http1AllocationTests), DisableParallelization = true)]
public sealed class Http1AllocationCollection;

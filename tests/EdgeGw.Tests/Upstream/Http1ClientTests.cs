using System.Net;
using System.Text;
using System.Text.Json;
using EdgeGw.Tests.Infrastructure;

namespace EdgeGw.Tests.Upstream;

/// <summary>
/// The Pipelines HTTP/1.1 client as a user sees it through the gateway: keep-alive reuse, servers that
/// close or cut connections, chunked framing, timeouts, client aborts and large bodies.
/// </summary>
public sealed class Http1ClientTests
{
    private const string Request = """{"model":"gpt","messages":[{"role":"user","content":"hi"}]}""";
    private const string Answer = """{"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"gpt-4o","choices":[{"index":0,"message":{"role":"assistant","content":"Hello there"},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}}""";

    private static Task<TestGateway> GatewayAsync(string url, string extra = "") => TestGateway.StartAsync($"""
        - model_name: gpt
          litellm_params:
            model: openai/gpt-4o
            api_base: {url}/v1
            api_key: sk-upstream{extra}
        """, "router_settings:\n  num_retries: 0\n");

    private static async Task<string> ContentAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        return JsonDocument.Parse(text).RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString()!;
    }

    /// <summary>Sends the chat request <paramref name="times"/> times, one after another; each must get the upstream's answer.</summary>
    private static async Task EachAnsweredAsync(TestGateway gateway, int times)
    {
        for (var i = 0; i < times; i++)
        {
            using var response = await gateway.PostJsonAsync("/v1/chat/completions", Request);
            Assert.Equal("Hello there", await ContentAsync(response));
        }
    }

    private const string StreamRequest = """{"model":"gpt","stream":true,"messages":[{"role":"user","content":"hi"}]}""";
    private const string StreamChunk = "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"},\"finish_reason\":\"stop\"}]}\n\n";

    private const string SseHead = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n";

    /// <summary>One chunk of a chunked body.</summary>
    private static string Chunk(string data) => $"{Encoding.UTF8.GetByteCount(data):x}\r\n{data}\r\n";

    /// <summary>A stream's head, one chunk and [DONE], without the body's last chunk (0\r\n\r\n).</summary>
    private static readonly string StreamUpToDone = SseHead + Chunk(StreamChunk) + Chunk("data: [DONE]\n\n");

    /// <summary>Waits (bounded) until the gateway's pool for <paramref name="url"/> holds <paramref name="idle"/> idle connections.</summary>
    private static async Task PooledAsync(TestGateway gateway, string url, int idle)
    {
        if (gateway.Runtime.Clients.Http1For(new Uri(url)) is not { } pool)
        {
            // EDGEGW_UPSTREAM_CLIENT=httpclient: SocketsHttpHandler drains the rest the same way, unobservably.
            await Task.Delay(200);
            return;
        }
        for (var i = 0; i < 500 && pool.IdleCount < idle; i++)
            await Task.Delay(10);
        Assert.Equal(idle, pool.IdleCount);
    }

    private static async Task<JsonElement> ErrorAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error");

    [Fact]
    public async Task SequentialRequests_ReuseOnePooledConnection()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.RespondJson(Answer);
        await using var gateway = await GatewayAsync(upstream.Url);

        await EachAnsweredAsync(gateway, 5);

        Assert.Equal(1, upstream.Connections);
    }

    [Fact]
    public async Task SequentialStreams_ReuseOnePooledConnection()
    {
        // A relayed stream's connection goes back to the pool only once its chunked body was read through its last chunk.
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.RespondStream([
            "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"},\"finish_reason\":\"stop\"}]}\n\n",
            "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4o\",\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":1,\"total_tokens\":4}}\n\n",
            "data: [DONE]\n\n"]);
        await using var gateway = await GatewayAsync(upstream.Url);

        for (var i = 0; i < 3; i++)
        {
            using (var response = await gateway.PostJsonAsync("/v1/chat/completions", StreamRequest))
                Assert.Contains("data: [DONE]", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            // The client can see [DONE] before the upstream's last chunk reaches the gateway: the connection
            // goes back when that arrives, so the next request waits for it rather than racing it.
            await PooledAsync(gateway, upstream.Url, 1);
        }

        Assert.Equal(1, upstream.Connections);
    }

    [Fact]
    public async Task LastChunkArrivesAfterDone_ConnectionIsKeptForTheNextRequest()
    {
        // [DONE] in one chunk, the body's 0\r\n\r\n only once the client has read the whole stream: the
        // gateway's reader stopped at [DONE], and the pool waits for the rest instead of closing.
        var clientRead = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var upstream = new RawUpstream(async connection =>
        {
            if (await connection.ReadRequestAsync() is null)
                return;
            await connection.SendAsync(StreamUpToDone);
            await clientRead.Task.WaitAsync(TimeSpan.FromSeconds(20));
            await connection.SendAsync("0\r\n\r\n");
            while (await connection.ReadRequestAsync() is not null)
                await connection.SendAsync(RawUpstream.Json(Answer));
        });
        await using var gateway = await GatewayAsync(upstream.Url);

        using (var stream = await gateway.PostJsonAsync("/v1/chat/completions", StreamRequest))
            Assert.Contains("data: [DONE]", await stream.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        clientRead.SetResult();
        await PooledAsync(gateway, upstream.Url, 1);
        await EachAnsweredAsync(gateway, 2);

        Assert.Equal(1, upstream.Connections);
    }

    [Fact]
    public async Task LastChunkNeverArrivesAfterDone_ConnectionIsClosedAndNextRequestConnectsAnew()
    {
        var closed = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var upstream = new RawUpstream(async connection =>
        {
            if (connection.Number == 1)
            {
                await connection.ReadRequestAsync();
                await connection.SendAsync(StreamUpToDone);
                closed.TrySetResult(await connection.ClosedByPeerAsync(TimeSpan.FromSeconds(20)));
                return;
            }
            while (await connection.ReadRequestAsync() is not null)
                await connection.SendAsync(RawUpstream.Json(Answer));
        });
        await using var gateway = await GatewayAsync(upstream.Url);

        using (var stream = await gateway.PostJsonAsync("/v1/chat/completions", StreamRequest))
            Assert.Contains("data: [DONE]", await stream.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        Assert.True(await closed.Task.WaitAsync(TimeSpan.FromSeconds(30)));
        await EachAnsweredAsync(gateway, 1);
        Assert.Equal(2, upstream.Connections);
    }

    [Fact]
    public async Task UpstreamClosedIdleConnection_NextRequestSucceedsOnFreshOne()
    {
        // Keep-alive in the answer, then a close without a word: the pooled connection is dead when next taken.
        await using var upstream = new RawUpstream(async connection =>
        {
            if (await connection.ReadRequestAsync() is not null)
                await connection.SendAsync(RawUpstream.Json(Answer));
        });
        await using var gateway = await GatewayAsync(upstream.Url);

        await EachAnsweredAsync(gateway, 3);

        Assert.Equal(3, upstream.Connections);
    }

    [Fact]
    public async Task UpstreamResetIdleConnection_NextRequestSucceedsOnFreshOne()
    {
        // A reset rather than an orderly close: the connection's receive loop ends on an error while it sits idle.
        var reset = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var upstream = new RawUpstream(async connection =>
        {
            if (await connection.ReadRequestAsync() is null)
                return;
            await connection.SendAsync(RawUpstream.Json(Answer));
            if (connection.Number != 1)
            {
                while (await connection.ReadRequestAsync() is not null)
                    await connection.SendAsync(RawUpstream.Json(Answer));
                return;
            }
            await Task.Delay(100);
            connection.Reset();
            reset.SetResult();
        });
        await using var gateway = await GatewayAsync(upstream.Url);

        await EachAnsweredAsync(gateway, 1);
        await reset.Task.WaitAsync(TimeSpan.FromSeconds(20));
        await EachAnsweredAsync(gateway, 2);

        Assert.Equal(2, upstream.Connections);
    }

    [Fact]
    public async Task ConnectionCloseAnswer_ConnectionIsNotReused()
    {
        // The server says close but leaves the socket open; a request sent on it anyway gets a 500.
        await using var upstream = new RawUpstream(async connection =>
        {
            if (await connection.ReadRequestAsync() is null)
                return;
            await connection.SendAsync(RawUpstream.Json(Answer, "Connection: close"));
            if (await connection.ReadRequestAsync() is not null)
                await connection.SendAsync("HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n");
        });
        await using var gateway = await GatewayAsync(upstream.Url);

        await EachAnsweredAsync(gateway, 2);

        Assert.Equal(2, upstream.Connections);
    }

    [Fact]
    public async Task ChunkedAnswerSplitAnywhere_IsDecodedAndConnectionReused()
    {
        var body = Encoding.UTF8.GetBytes(Answer);
        await using var upstream = new RawUpstream(async connection =>
        {
            while (await connection.ReadRequestAsync() is not null)
            {
                // Chunks of 7 bytes, one with an extension, every write cut inside the framing, and a trailer.
                var wire = new StringBuilder("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n");
                for (var at = 0; at < body.Length; at += 7)
                {
                    var piece = Encoding.UTF8.GetString(body, at, Math.Min(7, body.Length - at));
                    wire.Append(Encoding.UTF8.GetByteCount(piece).ToString("x", System.Globalization.CultureInfo.InvariantCulture))
                        .Append(at == 14 ? ";ext=1" : "").Append("\r\n").Append(piece).Append("\r\n");
                }
                wire.Append("0\r\nx-trailer: yes\r\n\r\n");
                var bytes = Encoding.UTF8.GetBytes(wire.ToString());
                for (var at = 0; at < bytes.Length; at += 5)
                {
                    await connection.SendAsync(bytes[at..Math.Min(bytes.Length, at + 5)]);
                    await Task.Yield();
                }
            }
        });
        await using var gateway = await GatewayAsync(upstream.Url);

        await EachAnsweredAsync(gateway, 2);

        Assert.Equal(1, upstream.Connections);
    }

    [Fact]
    public async Task UpstreamDiesMidBody_Answers502()
    {
        await using var upstream = new RawUpstream(async connection =>
        {
            if (await connection.ReadRequestAsync() is not null)
                await connection.SendAsync("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n" + Answer[..100]);
        });
        await using var gateway = await GatewayAsync(upstream.Url);

        using var response = await gateway.PostJsonAsync("/v1/chat/completions", Request);

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        var error = await ErrorAsync(response);
        Assert.Contains("broke", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task UpstreamDiesMidStream_StreamEndsWithErrorEvent()
    {
        const string first = "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"},\"finish_reason\":null}]}\n\n";
        await using var upstream = new RawUpstream(async connection =>
        {
            if (await connection.ReadRequestAsync() is not null)
                await connection.SendAsync(SseHead + Chunk(first));
        });
        await using var gateway = await GatewayAsync(upstream.Url);

        using var response = await gateway.PostJsonAsync("/v1/chat/completions", StreamRequest);
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("\"content\":\"Hi\"", text, StringComparison.Ordinal);
        Assert.Contains("\"error\"", text, StringComparison.Ordinal);
        Assert.DoesNotContain("data: [DONE]", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SilentUpstream_TimesOutWith504AndConnectionIsClosed()
    {
        var closed = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var upstream = new RawUpstream(async connection =>
        {
            if (connection.Number == 1)
            {
                await connection.ReadRequestAsync();
                closed.TrySetResult(await connection.ClosedByPeerAsync(TimeSpan.FromSeconds(20)));
                return;
            }
            while (await connection.ReadRequestAsync() is not null)
                await connection.SendAsync(RawUpstream.Json(Answer));
        });
        await using var gateway = await GatewayAsync(upstream.Url, "\n    timeout: 0.5");

        using var response = await gateway.PostJsonAsync("/v1/chat/completions", Request);

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.True(await closed.Task.WaitAsync(TimeSpan.FromSeconds(30)));
        using var next = await gateway.PostJsonAsync("/v1/chat/completions", Request);
        Assert.Equal("Hello there", await ContentAsync(next));
        Assert.Equal(2, upstream.Connections);
    }

    [Fact]
    public async Task StreamStalledMidBody_UpstreamConnectionIsClosedAndNotReused()
    {
        // A client's disconnect does not cancel an upstream call (it is finished and billed, RequestDeadline);
        // what does is a timeout: here stream_timeout on a stream that stops midway.
        const string first = "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"},\"finish_reason\":null}]}\n\n";
        var closed = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var upstream = new RawUpstream(async connection =>
        {
            if (connection.Number == 1)
            {
                await connection.ReadRequestAsync();
                await connection.SendAsync(SseHead + Chunk(first));
                closed.TrySetResult(await connection.ClosedByPeerAsync(TimeSpan.FromSeconds(20)));
                return;
            }
            while (await connection.ReadRequestAsync() is not null)
                await connection.SendAsync(RawUpstream.Json(Answer));
        });
        await using var gateway = await GatewayAsync(upstream.Url, "\n    stream_timeout: 0.5");

        using (var stream = await gateway.PostJsonAsync("/v1/chat/completions", StreamRequest))
            Assert.Contains("\"error\"", await stream.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        Assert.True(await closed.Task.WaitAsync(TimeSpan.FromSeconds(30)));
        using var next = await gateway.PostJsonAsync("/v1/chat/completions", Request);
        Assert.Equal("Hello there", await ContentAsync(next));
        Assert.Equal(2, upstream.Connections);
    }

    [Fact]
    public async Task UpstreamNotReadingALargeBody_TimesOutWith504()
    {
        // A 4 KB receive buffer that is never read: the gateway's flush of a 16 MB body has to wait for room.
        using var listener = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(8);
        var accepted = listener.AcceptAsync();
        await using var gateway = await GatewayAsync($"http://127.0.0.1:{((IPEndPoint)listener.LocalEndPoint!).Port}", "\n    timeout: 0.5");
        var prompt = new string('p', 16 * 1024 * 1024);

        using var response = await gateway.PostJsonAsync("/v1/chat/completions", Request.Replace("\"hi\"", $"\"{prompt}\"", StringComparison.Ordinal));

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.Equal("timeout", (await ErrorAsync(response)).GetProperty("type").GetString());
        using var upstream = await accepted;
    }

    [Fact]
    public async Task LargeBodies_CrossBothWays()
    {
        var prompt = new string('p', 1_500_000);
        var content = new string('a', 1_500_000);
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.RespondJson(Answer.Replace("Hello there", content, StringComparison.Ordinal));
        await using var gateway = await GatewayAsync(upstream.Url);

        using var response = await gateway.PostJsonAsync("/v1/chat/completions", Request.Replace("\"hi\"", $"\"{prompt}\"", StringComparison.Ordinal));

        Assert.Equal(content, await ContentAsync(response));
        var sent = upstream.LastRequest.Json().RootElement.GetProperty("messages")[0].GetProperty("content").GetString();
        Assert.Equal(prompt, sent);
    }
}

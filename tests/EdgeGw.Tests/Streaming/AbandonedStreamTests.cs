using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using EdgeGw.Tests.Infrastructure;

namespace EdgeGw.Tests.Streaming;

/// <summary>
/// A stream its client abandons (disconnects, or stops reading) is still billed for what the
/// upstream generated: read on to the upstream's usage, else estimated and marked.
/// </summary>
public sealed class AbandonedStreamTests : IAsyncDisposable
{
    private const string StreamBody = """{"model":"gpt","stream":true,"messages":[{"role":"user","content":"hi"}]}""";

    private FakeUpstream? _upstream;
    private TestGateway? _gateway;

    private async Task<(FakeUpstream Upstream, TestGateway Gateway)> StartAsync(string extraParams = "", TimeSpan? streamWriteTimeout = null)
    {
        _upstream = await FakeUpstream.StartAsync();
        _gateway = await TestGateway.StartAsync($"""
            - model_name: gpt
              litellm_params:
                model: openai/gpt-4o
                api_base: {_upstream.Url}/v1
                api_key: sk-upstream
                input_cost_per_token: 0.001
                output_cost_per_token: 0.002
            {extraParams}
            """ + "\n" + AdminClient.CheapModel, streamWriteTimeout: streamWriteTimeout);
        return (_upstream, _gateway);
    }

    public async ValueTask DisposeAsync()
    {
        if (_gateway is not null)
            await _gateway.DisposeAsync();
        if (_upstream is not null)
            await _upstream.DisposeAsync();
    }

    private static string Chunk(string text) =>
        $$"""data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[{"index":0,"delta":{"content":"{{text}}"},"finish_reason":null}]}""" + "\n\n";

    private const string Finish = """data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}""" + "\n\n";

    private static string UsageChunk(int prompt, int completion) =>
        $$$"""data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[],"usage":{"prompt_tokens":{{{prompt}}},"completion_tokens":{{{completion}}},"total_tokens":{{{prompt + completion}}}}}""" + "\n\n";

    /// <summary>
    /// Sends the first chunks, waits for the client to leave, then sends the rest a chunk every
    /// 100 ms: the gateway notices a closed connection within a few writes (Kestrel sees the FIN).
    /// </summary>
    private static void StreamAfterClientLeaves(FakeUpstream upstream, TaskCompletionSource clientLeft, int first, IEnumerable<string> rest) =>
        upstream.Handle(async (c, _) =>
        {
            c.Response.ContentType = "text/event-stream";
            for (var i = 0; i < first; i++)
            {
                await c.Response.WriteAsync(Chunk("abcd"));
                await c.Response.Body.FlushAsync();
            }
            await clientLeft.Task.WaitAsync(TimeSpan.FromSeconds(20));
            foreach (var piece in rest)
            {
                await c.Response.WriteAsync(piece);
                await c.Response.Body.FlushAsync();
                await Task.Delay(100);
            }
        });

    /// <summary>Reads <paramref name="chunks"/> events of a stream, then drops the connection; returns the request id.</summary>
    private static async Task<string> ReadThenDisconnectAsync(TestGateway gateway, string key, int chunks,
        string path = "/v1/chat/completions", string body = StreamBody)
    {
        // No drain on dispose (the handler would read up to 1 MB on to reuse the connection): the client really leaves.
        using var client = new HttpClient(new SocketsHttpHandler { MaxResponseDrainSize = 0 }) { BaseAddress = gateway.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var id = response.Headers.GetValues("x-litellm-call-id").Single();
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        for (var seen = 0; seen < chunks;)
        {
            var line = await reader.ReadLineAsync();
            Assert.NotNull(line);
            if (line.StartsWith("data: ", StringComparison.Ordinal))
                seen++;
        }
        response.Dispose(); // mid-body: the connection is closed, not drained
        return id;
    }

    private static async Task<JsonElement> RowAsync(TestGateway gateway, string requestId)
    {
        for (var attempt = 0; attempt < 300; attempt++)
        {
            var rows = await gateway.GetAdminAsync($"/spend/logs?request_id={requestId}");
            if (rows.GetArrayLength() > 0)
                return rows[0];
            await Task.Delay(50);
        }
        throw new TimeoutException($"no spend row for {requestId}");
    }

    [Fact]
    public async Task ClientLeavesBeforeUsageChunk_RowBilledWithUpstreamUsage()
    {
        var (upstream, gateway) = await StartAsync();
        var key = await gateway.NewKeyAsync("""{"tpm_limit":500}""");
        var left = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        StreamAfterClientLeaves(upstream, left, 5,
            [.. Enumerable.Repeat(Chunk("abcd"), 14), Finish, UsageChunk(100, 450), "data: [DONE]\n\n"]);

        var id = await ReadThenDisconnectAsync(gateway, key, 5);
        left.SetResult();
        var row = await RowAsync(gateway, id);

        Assert.Equal("success", row.GetProperty("status").GetString());
        Assert.Equal(100, row.GetProperty("prompt_tokens").GetInt32());
        Assert.Equal(450, row.GetProperty("completion_tokens").GetInt32());
        Assert.Equal(1.0m, row.GetProperty("spend").GetDecimal()); // 100 × 0.001 + 450 × 0.002
        var metadata = row.GetProperty("metadata");
        Assert.False(metadata.TryGetProperty("usage_estimated", out _));
        Assert.Equal("ClientDisconnected", metadata.GetProperty("error_information").GetProperty("error_class").GetString());
        Assert.Equal(1.0m, await gateway.KeySpendAsync(key));
        // 550 tokens settled against the key's tpm_limit of 500: the next request waits for the window.
        using var next = await gateway.ChatAsync(key);
        Assert.Equal(HttpStatusCode.TooManyRequests, next.StatusCode);
    }

    [Fact]
    public async Task MessagesClientLeavesAnthropicStream_RowBilledWithMessageDeltaUsage()
    {
        _upstream = await FakeUpstream.StartAsync();
        _gateway = await TestGateway.StartAsync($"""
            - model_name: claude
              litellm_params:
                model: anthropic/claude-sonnet-4-5-20250929
                api_base: {_upstream.Url}
                api_key: sk-ant-upstream
                input_cost_per_token: 0.001
                output_cost_per_token: 0.002
            """);
        var key = await _gateway.NewKeyAsync();
        var left = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        const string Delta = "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"abcd\"}}\n\n";
        _upstream.Handle(async (c, _) =>
        {
            c.Response.ContentType = "text/event-stream";
            await c.Response.WriteAsync("event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-sonnet-4-5-20250929\",\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":12,\"output_tokens\":1}}}\n\n"
                + "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n" + Delta);
            await c.Response.Body.FlushAsync();
            await left.Task.WaitAsync(TimeSpan.FromSeconds(20));
            for (var i = 0; i < 10; i++)
            {
                await c.Response.WriteAsync(Delta);
                await c.Response.Body.FlushAsync();
                await Task.Delay(100);
            }
            await c.Response.WriteAsync("event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n"
                + "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":300}}\n\n"
                + "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n");
        });

        var id = await ReadThenDisconnectAsync(_gateway, key, 3, "/v1/messages",
            """{"model":"claude","max_tokens":1000,"stream":true,"messages":[{"role":"user","content":"Hi"}]}""");
        left.SetResult();
        var row = await RowAsync(_gateway, id);

        Assert.Equal((12, 300), (row.GetProperty("prompt_tokens").GetInt32(), row.GetProperty("completion_tokens").GetInt32()));
        Assert.Equal("ClientDisconnected", row.GetProperty("metadata").GetProperty("error_information").GetProperty("error_class").GetString());
        Assert.False(row.GetProperty("metadata").TryGetProperty("usage_estimated", out _));
        Assert.Equal(0.612m, await _gateway.KeySpendAsync(key)); // 12 × 0.001 + 300 × 0.002
    }

    [Fact]
    public async Task ClientLeavesAndUpstreamSendsNoUsage_RowBilledFromEstimateAndMarked()
    {
        var (upstream, gateway) = await StartAsync();
        var key = await gateway.NewKeyAsync();
        var left = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        StreamAfterClientLeaves(upstream, left, 5, [.. Enumerable.Repeat(Chunk("abcd"), 15), Finish, "data: [DONE]\n\n"]);

        var id = await ReadThenDisconnectAsync(gateway, key, 5);
        left.SetResult();
        var row = await RowAsync(gateway, id);

        Assert.Equal("success", row.GetProperty("status").GetString());
        Assert.Equal(20, row.GetProperty("completion_tokens").GetInt32()); // 20 × "abcd", 4 bytes a token
        Assert.Equal(19, row.GetProperty("prompt_tokens").GetInt32()); // the request's own estimate: its 76-byte body over 4
        Assert.True(row.GetProperty("metadata").GetProperty("usage_estimated").GetBoolean());
        Assert.Equal("ClientDisconnected", row.GetProperty("metadata").GetProperty("error_information").GetProperty("error_class").GetString());
        Assert.Equal(0.059m, await gateway.KeySpendAsync(key)); // 19 × 0.001 + 20 × 0.002
    }

    [Fact]
    public async Task ClientLeavesAndUpstreamStalls_RowBilledFromTextSeenAndMarked()
    {
        var (upstream, gateway) = await StartAsync("    stream_timeout: 1");
        var key = await gateway.NewKeyAsync();
        upstream.Handle(async (c, _) =>
        {
            c.Response.ContentType = "text/event-stream";
            for (var i = 0; i < 6; i++)
            {
                await c.Response.WriteAsync(Chunk("abcd"));
                await c.Response.Body.FlushAsync();
            }
            await Task.Delay(Timeout.Infinite, c.RequestAborted); // never ends: the drain's bound ends it
        });

        var id = await ReadThenDisconnectAsync(gateway, key, 5);
        var row = await RowAsync(gateway, id);

        Assert.Equal(6, row.GetProperty("completion_tokens").GetInt32());
        Assert.True(row.GetProperty("metadata").GetProperty("usage_estimated").GetBoolean());
        Assert.True(row.GetProperty("spend").GetDecimal() > 0);
    }

    [Fact]
    public async Task StreamWithoutUsage_ReadToItsEnd_RowBilledFromEstimateAndMarked()
    {
        var (upstream, gateway) = await StartAsync();
        var key = await gateway.NewKeyAsync();
        upstream.RespondStream([Chunk("abcdabcd"), Finish, "data: [DONE]\n\n"]);

        using var response = await gateway.ChatAsync(key, StreamBody);
        await response.Content.ReadAsStringAsync();
        var row = await RowAsync(gateway, response.Headers.GetValues("x-litellm-call-id").Single());

        Assert.Equal(2, row.GetProperty("completion_tokens").GetInt32());
        Assert.True(row.GetProperty("metadata").GetProperty("usage_estimated").GetBoolean());
        Assert.False(row.GetProperty("metadata").TryGetProperty("error_information", out _));
    }

    [Fact]
    public async Task ClientStopsReading_StreamEndedBilledAndParallelSlotFreed()
    {
        var (upstream, gateway) = await StartAsync(streamWriteTimeout: TimeSpan.FromSeconds(1));
        var key = await gateway.NewKeyAsync("""{"max_parallel_requests":1}""");
        var text = new string('a', 4096);
        // 16 MB: far more than the socket buffers between a client that reads nothing and the gateway.
        upstream.RespondStream([.. Enumerable.Repeat(Chunk(text), 4096), Finish, UsageChunk(10, 20), "data: [DONE]\n\n"]);

        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
        await socket.ConnectAsync(IPAddress.Loopback, gateway.BaseAddress.Port);
        var request = $"POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {key}\r\nx-litellm-call-id: stalled-1\r\n" +
            $"Content-Type: application/json\r\nContent-Length: {StreamBody.Length}\r\n\r\n{StreamBody}";
        await socket.SendAsync(Encoding.ASCII.GetBytes(request));

        var row = await RowAsync(gateway, "stalled-1");
        using var next = await gateway.ChatAsync(key);

        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
        Assert.Equal(20, row.GetProperty("completion_tokens").GetInt32());
        Assert.Equal("ClientStalled", row.GetProperty("metadata").GetProperty("error_information").GetProperty("error_class").GetString());
    }

    /// <summary>Sends <paramref name="body"/> with its own call id and gives up after 300 ms, before any answer byte.</summary>
    private static async Task LeaveBeforeAnswerAsync(TestGateway gateway, string key, string body, string callId)
    {
        using var client = new HttpClient { BaseAddress = gateway.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        request.Headers.Add("x-litellm-call-id", callId);
        using var gone = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, gone.Token));
    }

    [Fact]
    public async Task NonStreamedClientLeavesBeforeAnswer_UpstreamFinishedAndRowBilled()
    {
        var (upstream, gateway) = await StartAsync();
        var key = await gateway.NewKeyAsync();
        var left = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        upstream.Handle(async (c, _) =>
        {
            await left.Task.WaitAsync(TimeSpan.FromSeconds(20)); // answers only once the client has gone
            c.Response.ContentType = "application/json";
            await c.Response.WriteAsync("""{"id":"c1","object":"chat.completion","created":1,"model":"gpt-4o","choices":[{"index":0,"message":{"role":"assistant","content":"hello"},"finish_reason":"stop"}],"usage":{"prompt_tokens":100,"completion_tokens":450,"total_tokens":550}}""");
        });

        await LeaveBeforeAnswerAsync(gateway, key, """{"model":"gpt","messages":[{"role":"user","content":"hi"}]}""", "left-non-streamed");
        left.SetResult();
        var row = await RowAsync(gateway, "left-non-streamed");

        Assert.Equal("success", row.GetProperty("status").GetString());
        Assert.Equal(1.0m, row.GetProperty("spend").GetDecimal()); // 100 × 0.001 + 450 × 0.002
        // (Marked ClientDisconnected only when the gateway has noticed the hang-up by the time it writes: not asserted.)
        Assert.Equal(1.0m, await gateway.KeySpendAsync(key));
    }

    [Fact]
    public async Task StreamClientLeavesBeforeFirstByte_UpstreamReadToItsUsageAndBilled()
    {
        var (upstream, gateway) = await StartAsync();
        var key = await gateway.NewKeyAsync();
        var left = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        StreamAfterClientLeaves(upstream, left, 0, [.. Enumerable.Repeat(Chunk("abcd"), 5), Finish, UsageChunk(100, 450), "data: [DONE]\n\n"]);

        await LeaveBeforeAnswerAsync(gateway, key, StreamBody, "left-stream");
        left.SetResult();
        var row = await RowAsync(gateway, "left-stream");

        Assert.Equal("success", row.GetProperty("status").GetString());
        Assert.Equal(1.0m, row.GetProperty("spend").GetDecimal());
        Assert.Equal(1.0m, await gateway.KeySpendAsync(key));
    }
}

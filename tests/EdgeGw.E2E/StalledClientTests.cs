using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using EdgeGw.Tests.Infrastructure;

namespace EdgeGw.E2E;

/// <summary>A client that stops reading a stream: the native binary cuts it off, frees its slot and the upstream, and bills the stream.</summary>
public sealed class StalledClientTests
{
    private const string StreamBody = """{"model":"gpt","stream":true,"messages":[{"role":"user","content":"hi"}]}""";

    private const string Answer = """{"id":"c2","object":"chat.completion","created":1,"model":"gpt-4o","choices":[{"index":0,"message":{"role":"assistant","content":"ok"},"finish_reason":"stop"}],"usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}""";

    private static string Chunk(string text) =>
        $$"""data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[{"index":0,"delta":{"content":"{{text}}"},"finish_reason":null}]}""" + "\n\n";

    private static async Task<JsonElement?> RowAsync(GatewayProcess gateway, string requestId)
    {
        for (var attempt = 0; attempt < 400; attempt++)
        {
            using var response = await gateway.Client.GetAsync($"/spend/logs?request_id={requestId}");
            var rows = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            if (rows.GetArrayLength() > 0)
                return rows[0].Clone();
            await Task.Delay(50);
        }
        return null;
    }

    [Fact]
    public async Task ClientStopsReading_ConnectionCutSlotFreedUpstreamReadToItsUsageAndBilled()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        var upstreamDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var text = new string('a', 4096);
        upstream.Handle(async (c, request) =>
        {
            if (!request.BodyText.Contains("\"stream\":true", StringComparison.Ordinal))
            {
                c.Response.ContentType = "application/json";
                await c.Response.WriteAsync(Answer);
                return;
            }
            c.Response.ContentType = "text/event-stream";
            // 16 MB: far more than the socket buffers between the gateway and a client that reads nothing.
            for (var i = 0; i < 4096; i++)
                await c.Response.WriteAsync(Chunk(text));
            await c.Response.WriteAsync("""data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[],"usage":{"prompt_tokens":10,"completion_tokens":20,"total_tokens":30}}""" + "\n\ndata: [DONE]\n\n");
            upstreamDone.TrySetResult();
        });
        await using var gateway = await GatewayProcess.StartAsync($"""
            model_list:
              - model_name: gpt
                litellm_params:
                  model: openai/gpt-4o
                  api_base: {upstream.Url}/v1
                  api_key: sk-upstream
                  input_cost_per_token: 0.001
                  output_cost_per_token: 0.002
            general_settings:
              master_key: {GatewayProcess.MasterKey}
            """, environment: new Dictionary<string, string> { ["EDGEGW_STREAM_WRITE_TIMEOUT"] = "1" });
        using var created = await gateway.Client.PostAsync("/key/generate", new StringContent("""{"max_parallel_requests":1}""", Encoding.UTF8, "application/json"));
        var key = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("key").GetString()!;

        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
        await socket.ConnectAsync(IPAddress.Loopback, gateway.Port);
        await socket.SendAsync(Encoding.ASCII.GetBytes($"POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {key}\r\n" +
            $"x-litellm-call-id: stalled-e2e\r\nContent-Type: application/json\r\nContent-Length: {StreamBody.Length}\r\n\r\n{StreamBody}"));

        var row = await RowAsync(gateway, "stalled-e2e");
        Assert.True(row.HasValue, "no spend row for the stalled stream");
        Assert.True(upstreamDone.Task.IsCompleted, "the upstream was not read to its end");
        Assert.Equal(20, row.Value.GetProperty("completion_tokens").GetInt32());
        Assert.Equal("ClientStalled", row.Value.GetProperty("metadata").GetProperty("error_information").GetProperty("error_class").GetString());
        Assert.Equal(0.05m, row.Value.GetProperty("spend").GetDecimal()); // 10 × 0.001 + 20 × 0.002

        using var next = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = new StringContent(
            """{"model":"gpt","messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json") };
        next.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        using var answer = await gateway.Client.SendAsync(next);
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode); // the parallel slot is free again

        // The gateway aborted the connection: what was buffered is read, then the stream ends.
        Assert.True(await ConnectionEndsAsync(socket), "the stalled connection was left open");
    }

    private static async Task<bool> ConnectionEndsAsync(Socket socket)
    {
        var buffer = new byte[64 * 1024];
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        try
        {
            while (await socket.ReceiveAsync(buffer, SocketFlags.None, limit.Token) > 0)
            {
            }
            return true;
        }
        catch (SocketException)
        {
            return true; // reset
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}

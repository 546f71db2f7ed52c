using System.Text;
using System.Text.Json;
using EdgeGw.Tests.Infrastructure;

namespace EdgeGw.Tests.Api;

/// <summary>Kestrel's own rejections (before any middleware) reach the caller in the OpenAI error envelope.</summary>
public sealed class ProtocolErrorBodiesTests
{
    private const string Model = """
        - model_name: mock-gpt
          litellm_params:
            model: mock/mock-gpt
        """;

    private static void AssertEnvelope(RawResponse response, int status)
    {
        Assert.Equal(status, response.Status);
        Assert.Equal("application/json", response.Header("Content-Type"));
        Assert.Equal(response.Body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), response.Header("Content-Length"));
        using var json = JsonDocument.Parse(response.Body);
        var error = json.RootElement.GetProperty("error");
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        Assert.Equal(status.ToString(System.Globalization.CultureInfo.InvariantCulture), error.GetProperty("code").GetString());
        Assert.Equal(JsonValueKind.Null, error.GetProperty("param").ValueKind);
        Assert.False(string.IsNullOrEmpty(error.GetProperty("message").GetString()));
    }

    [Fact]
    public async Task HeadersOverLimit_431WithJsonEnvelope()
    {
        await using var gateway = await TestGateway.StartAsync(Model);
        var response = await RawHttp.SendAsync(gateway.BaseAddress, RawHttp.Request("GET", "/v1/models", [$"x-big: {new string('a', 40_000)}"]));
        AssertEnvelope(response, 431);
        Assert.Contains("headers", JsonDocument.Parse(response.Body).RootElement.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RequestLineOverLimit_414WithJsonEnvelope()
    {
        await using var gateway = await TestGateway.StartAsync(Model);
        var response = await RawHttp.SendAsync(gateway.BaseAddress, RawHttp.Request("GET", "/v1/models?q=" + new string('a', 10_000), []));
        AssertEnvelope(response, 414);
    }

    [Theory]
    [InlineData("GET /v1/models HTTP/1.1\r\nHost: x\r\nno-colon-here\r\n\r\n")]
    [InlineData("GET  /v1/models HTTP/1.1\r\nHost: x\r\n\r\n")]
    [InlineData("\u0001\u0002garbage\r\n\r\n")]
    [InlineData("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 7\r\n\r\nhello")]
    [InlineData("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n")]
    public async Task MalformedRequest_4xxWithJsonEnvelope(string request)
    {
        await using var gateway = await TestGateway.StartAsync(Model);
        var response = await RawHttp.SendAsync(gateway.BaseAddress, Encoding.Latin1.GetBytes(request));
        Assert.InRange(response.Status, 400, 499);
        AssertEnvelope(response, response.Status);
    }

    [Fact]
    public async Task UnknownHttpVersion_505WithJsonEnvelope()
    {
        await using var gateway = await TestGateway.StartAsync(Model);
        var response = await RawHttp.SendAsync(gateway.BaseAddress, "GET /v1/models HTTP/9.9\r\nHost: x\r\n\r\n"u8.ToArray());
        AssertEnvelope(response, 505);
    }

    [Fact]
    public async Task BadRequestAfterGoodOnSameConnection_GoodAnswerIntactAndBadGetsEnvelope()
    {
        await using var gateway = await TestGateway.StartAsync(Model);
        var good = $"GET /v1/models HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {TestGateway.MasterKey}\r\n\r\n";
        var bad = $"GET /v1/models HTTP/1.1\r\nHost: x\r\nx-big: {new string('a', 40_000)}\r\n\r\n";
        using var socket = new System.Net.Sockets.TcpClient();
        await socket.ConnectAsync(gateway.BaseAddress.Host, gateway.BaseAddress.Port);
        var stream = socket.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(good + good + bad));
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var received = new MemoryStream();
        var buffer = new byte[16384];
        int read;
        try
        {
            while ((read = await stream.ReadAsync(buffer, bound.Token)) > 0)
                received.Write(buffer, 0, read);
        }
        catch (IOException) when (received.Length > 0)
        {
            // reset after the last response: the unread request bytes
        }
        var text = Encoding.UTF8.GetString(received.ToArray());
        var parts = text.Split("HTTP/1.1 ", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, parts.Length);
        Assert.StartsWith("200", parts[0], StringComparison.Ordinal);
        Assert.StartsWith("200", parts[1], StringComparison.Ordinal);
        Assert.Contains("\"object\":\"list\"", parts[1], StringComparison.Ordinal);
        AssertEnvelope(RawHttp.Parse(Encoding.UTF8.GetBytes("HTTP/1.1 " + parts[2])), 431);
    }

    [Fact]
    public async Task StreamedResponse_ArrivesIntactThroughWrapper()
    {
        await using var gateway = await TestGateway.StartAsync(Model);
        var body = Encoding.UTF8.GetBytes("""{"model":"mock-gpt","stream":true,"messages":[{"role":"user","content":"hi"}]}""");
        var response = await RawHttp.SendAsync(gateway.BaseAddress, RawHttp.Request("POST", "/v1/chat/completions",
            [$"Authorization: Bearer {TestGateway.MasterKey}", "Content-Type: application/json"], body));
        Assert.Equal(200, response.Status);
        Assert.EndsWith("data: [DONE]\n\n", response.BodyText, StringComparison.Ordinal);
    }
}

/// <summary>Only Kestrel's empty, closing rejections are rewritten; every other response passes as written.</summary>
public sealed class ProtocolErrorResponseTests
{
    [Theory]
    [InlineData("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")]
    [InlineData("HTTP/1.1 400 Bad Request\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello")]
    [InlineData("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\nHTTP/1.1 200 OK")]
    [InlineData("HTTP/1.1 400 Bad Request\r\nTransfer-Encoding: chunked\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")]
    [InlineData("0\r\n\r\n")]
    public void NotAKestrelRejection_LeftAlone(string response)
    {
        var output = new System.Buffers.ArrayBufferWriter<byte>();
        Assert.False(EdgeGw.Api.ProtocolErrorResponse.TryRewrite(Encoding.ASCII.GetBytes(response), output));
        Assert.Equal(0, output.WrittenCount);
    }
}

/// <summary>The connection wrapper costs nothing per request: no allocation on either path.</summary>
public sealed class ProtocolErrorBodiesAllocationTests
{
    [Theory]
    [InlineData(true)]  // the app's response
    [InlineData(false)] // Kestrel's end of a chunked response, held until the flush
    public void WritesThroughWrapper_AllocateNothing(bool appHandling)
    {
        var pipe = new System.IO.Pipelines.Pipe();
        var writer = new EdgeGw.Api.ProtocolErrorBodies(pipe.Writer) { AppHandling = appHandling };
        var bytes = 0L;

        var allocated = HotPathAllocationTests.AllocatedBy(() =>
        {
            "0\r\n\r\n"u8.CopyTo(writer.GetSpan(64));
            writer.Advance(5);
            writer.FlushAsync().GetAwaiter().GetResult();
            pipe.Reader.TryRead(out var read);
            bytes += read.Buffer.Length;
            pipe.Reader.AdvanceTo(read.Buffer.End);
        });

        Assert.Equal(12_000 * 5, bytes);
        Assert.Equal(0, allocated);
    }
}

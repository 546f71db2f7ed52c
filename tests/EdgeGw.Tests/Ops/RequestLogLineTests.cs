using System.Net;
using System.Text;
using EdgeGw.Config;
using EdgeGw.Observability;
using EdgeGw.Observability.Logging;
using EdgeGw.Tests.Infrastructure;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace EdgeGw.Tests.Ops;

/// <summary>
/// The request line written straight as UTF-8 (the default: EdgeGw's console logger alone) must be
/// the line the ILogger path writes, byte for byte, in both shapes; levels and other providers as before.
/// </summary>
public sealed class RequestLogLineTests(ITestOutputHelper testOutput)
{
    public sealed record Values(string CallId, string KeyAlias, string KeyHash, string ModelGroup, string DeploymentId,
        int Status, long PromptTokens, long CompletionTokens, double Cost, bool Stream, double OverheadMs, double DurationMs);

    public static TheoryData<bool, Values> Cases()
    {
        Values[] values =
        [
            new("chatcmpl-4b1e_9.x:7", "", "3f2a9c0d1e7b", "gpt-4o", "dep-a", 200, 12, 9, 0.000123, false, 0.187, 12.5),
            new("a:b.c_d-e", "master", "master", "claude", "anthropic/claude-3-5", 429, 0, 0, 1.5e-05, true, 0.042, 1234.567),
            new("client-trace-42", "équipe \"π\" 🚀\nsecond line\r<&>", "", "mock-gpt", "dep-b", 502, 1_000_000_000_000, 3, 0, true, 0, 0.001),
            new("", "billing-svc", "", "", "", 200, long.MaxValue, 1, 12345.678901234567, false, 99999.999, 100000.25),
        ];
        var cases = new TheoryData<bool, Values>();
        foreach (var json in new[] { false, true })
            foreach (var value in values)
                cases.Add(json, value);
        return cases;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void DirectLine_EqualsTheILoggerLineByteForByte(bool json, Values v)
    {
        var output = new MemoryStream();
        using (var provider = new ConsoleLoggerProvider(json, output, new FakeTime()))
        {
            var logger = provider.Create(GatewayTelemetry.RequestLogCategory);
            WriteViaILogger(logger, v);
            WriteDirect(logger, v);
        }

        var lines = Encoding.UTF8.GetString(output.ToArray()).Split('\n');
        Assert.Equal(3, lines.Length); // two lines, each ending in its only newline
        Assert.Equal("", lines[2]);
        Assert.Equal(lines[0], lines[1]);
        Assert.StartsWith(json ? """{"Timestamp":"2026-03-01T09:00:00.000Z","EventId":100,""" : "2026-03-01T09:00:00.000Z info: EdgeGw.Requests[100] request call_id=",
            lines[1], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void DirectLine_AllocatesNothing(bool json)
    {
        using var provider = new ConsoleLoggerProvider(json, Stream.Null);
        using var factory = LoggerFactory.Create(l => l.AddProvider(provider));
        var viaILogger = factory.CreateLogger(GatewayTelemetry.RequestLogCategory);
        var direct = provider.Create(GatewayTelemetry.RequestLogCategory);
        var sample = new Values("8f14e45f-ceea-467f-a0e4-6c1c3f1b2a9d", "", "3f2a9c0d1e7b", "gpt-4o", "dep-a", 200, 12, 9, 0.000123, true, 0.187, 12.5);

        void ViaILogger() => WriteViaILogger(viaILogger, sample);
        void Direct() => WriteDirect(direct, sample);

        // Warm-up grows the thread's buffers and the sink's two batch buffers past what 200 lines need.
        BytesPerLine(20_000, ViaILogger);
        BytesPerLine(20_000, Direct);
        var before = BytesPerLine(200, ViaILogger);
        // The steady state: a batch buffer may still grow once when the sink's writer falls behind on a busy box.
        var after = Enumerable.Range(0, 3).Min(_ => BytesPerLine(200, Direct));

        testOutput.WriteLine($"{before:0} B per line through ILogger, {after:0} B written directly");
        Assert.True(before > 200, $"{before} B per line through ILogger"); // the measurement sees the string it replaces
        Assert.Equal(0, after);
    }

    private static double BytesPerLine(int lines, Action write)
    {
        var start = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < lines; i++)
            write();
        return (GC.GetAllocatedBytesForCurrentThread() - start) / (double)lines;
    }

    private static void WriteViaILogger(ILogger logger, Values v) => RequestLog.Completed(logger, v.CallId, v.KeyAlias, v.KeyHash,
        v.ModelGroup, v.DeploymentId, v.Status, v.PromptTokens, v.CompletionTokens, v.Cost, v.Stream, v.OverheadMs, v.DurationMs);

    private static void WriteDirect(ConsoleLogger logger, Values v) => logger.Write(LogLevel.Information, RequestLog.Event, new RequestLogEntry
    {
        CallId = v.CallId,
        KeyAlias = v.KeyAlias,
        KeyHash = v.KeyHash,
        ModelGroup = v.ModelGroup,
        DeploymentId = v.DeploymentId,
        Status = v.Status,
        PromptTokens = v.PromptTokens,
        CompletionTokens = v.CompletionTokens,
        Cost = v.Cost,
        Stream = v.Stream,
        OverheadMs = v.OverheadMs,
        DurationMs = v.DurationMs,
    });

    [Theory]
    [InlineData(null, false, 1)]
    [InlineData(null, true, 1)]
    [InlineData("WARNING", false, 0)]
    [InlineData("WARNING", true, 0)]
    public async Task LitellmLog_DecidesWhetherTheRequestLineIsWritten(string? litellmLog, bool json, int expected)
    {
        var output = new MemoryStream();
        ConsoleLoggerProvider? console = null;
        await using (var gateway = await TestGateway.StartAsync(Model, logging: l => LogSetup.Configure(l, new LitellmSettings { JsonLogs = json },
            name => name == "LITELLM_LOG" ? litellmLog : null, asJson => console = new ConsoleLoggerProvider(asJson, output))))
        {
            using var response = await gateway.PostJsonAsync("/v1/chat/completions", Chat);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            console!.Dispose(); // the line was handed to the sink before the answer's end: this writes it out
        }

        var text = Encoding.UTF8.GetString(output.ToArray());
        var marker = json ? "\"Category\":\"EdgeGw.Requests\"" : " info: EdgeGw.Requests[100] request call_id=";
        Assert.Equal(expected, text.Split('\n').Count(l => l.Contains(marker, StringComparison.Ordinal)));
        if (expected == 1)
            Assert.Contains(json ? "\"ModelGroup\":\"mock-gpt\"" : " model_group=mock-gpt deployment=", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConsoleWithAnotherProvider_BothGetTheRequestLine()
    {
        var output = new MemoryStream();
        var captured = new CapturedLog();
        using var console = new ConsoleLoggerProvider(json: false, output);
        await using (var gateway = await TestGateway.StartAsync(Model, logging: l =>
        {
            l.AddProvider(console);
            l.AddProvider(captured);
        }))
        {
            using var response = await gateway.PostJsonAsync("/v1/chat/completions", Chat);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            console.Dispose();
        }

        var entry = Assert.Single(captured.In(GatewayTelemetry.RequestLogCategory));
        Assert.Equal("master", entry.State["KeyAlias"]);
        var line = Assert.Single(Encoding.UTF8.GetString(output.ToArray()).Split('\n'), l => l.Contains(" EdgeGw.Requests[100] ", StringComparison.Ordinal));
        Assert.EndsWith(entry.Message, line, StringComparison.Ordinal);
    }

    private const string Model = """
        - model_name: mock-gpt
          litellm_params:
            model: mock/mock-gpt
            mock_response: one two three
        """;

    private const string Chat = """{"model":"mock-gpt","messages":[{"role":"user","content":"hi"}]}""";
}

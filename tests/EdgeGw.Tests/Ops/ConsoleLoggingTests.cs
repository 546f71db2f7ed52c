using System.Text;
using System.Text.Json;
using EdgeGw.Observability.Logging;
using Microsoft.Extensions.Logging;

namespace EdgeGw.Tests.Ops;

public sealed partial class ConsoleLoggingTests
{
    [LoggerMessage(EventId = 7, Level = LogLevel.Information, Message = "request call_id={CallId} status={Status} cost={Cost} stream={Stream}")]
    private static partial void Request(ILogger logger, string callId, int status, double cost, bool stream);

    [LoggerMessage(Level = LogLevel.Error, Message = "failed {What}")]
    private static partial void Failed(ILogger logger, Exception exception, string what);

    [LoggerMessage(Level = LogLevel.Information, Message = "thread {Thread} line {Line} {Padding}")]
    private static partial void Numbered(ILogger logger, int thread, int line, string padding);

    private static string[] Lines(MemoryStream output) =>
        Encoding.UTF8.GetString(output.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries);

    [Fact]
    public void SimpleFormat_WritesOneTimestampedLinePerEntry()
    {
        var output = new MemoryStream();
        using (var provider = new ConsoleLoggerProvider(json: false, output))
        {
            var logger = provider.CreateLogger("EdgeGw.Requests");
            Request(logger, "call-1", 200, 0.25, false);
            Failed(logger, new InvalidOperationException("boom\nsecond line"), "commit");
        }

        var lines = Lines(output);
        Assert.Equal(2, lines.Length);
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z info: EdgeGw\.Requests\[7\] request call_id=call-1 status=200 cost=0\.25 stream=False$", lines[0]);
        Assert.Contains(" fail: EdgeGw.Requests[", lines[1], StringComparison.Ordinal);
        Assert.EndsWith("] failed commit System.InvalidOperationException: boom second line", lines[1], StringComparison.Ordinal);
    }

    [Fact]
    public void JsonFormat_WritesTheStateAsTypedFields()
    {
        var output = new MemoryStream();
        using (var provider = new ConsoleLoggerProvider(json: true, output))
            Request(provider.CreateLogger("EdgeGw.Requests"), "call-2", 429, 1.5, true);

        var line = JsonDocument.Parse(Assert.Single(Lines(output))).RootElement;
        Assert.Equal("EdgeGw.Requests", line.GetProperty("Category").GetString());
        Assert.Equal("Information", line.GetProperty("LogLevel").GetString());
        Assert.Equal(7, line.GetProperty("EventId").GetInt32());
        Assert.Equal("request call_id=call-2 status=429 cost=1.5 stream=True", line.GetProperty("Message").GetString());
        Assert.True(DateTime.TryParse(line.GetProperty("Timestamp").GetString(), out _));
        var state = line.GetProperty("State");
        Assert.Equal("call-2", state.GetProperty("CallId").GetString());
        Assert.Equal(429, state.GetProperty("Status").GetInt32());
        Assert.Equal(1.5, state.GetProperty("Cost").GetDouble());
        Assert.True(state.GetProperty("Stream").GetBoolean());
    }

    [Fact]
    public async Task ManyThreads_EveryLineArrivesWhole()
    {
        var output = new MemoryStream();
        using (var provider = new ConsoleLoggerProvider(json: false, output))
        {
            var logger = provider.CreateLogger("t");
            await Task.WhenAll(Enumerable.Range(0, 8).Select(t => Task.Run(() =>
            {
                for (var i = 0; i < 2_000; i++)
                    Numbered(logger, t, i, new string('x', i % 300));
            })));
        }

        var lines = Lines(output);
        Assert.Equal(16_000, lines.Length);
        Assert.All(lines, l => Assert.Matches(@" info: t\[\d+\] thread \d line \d+ x*$", l));
        Assert.Equal(16_000, lines.Distinct().Count());
    }

    [Fact]
    public async Task StalledOutput_NeverBlocksTheCallerAndCountsDroppedLines()
    {
        var output = new GatedStream();
        using var sink = new LogSink(output);
        var line = Encoding.UTF8.GetBytes(new string('x', 1023) + "\n");
        sink.Append(line);
        Assert.True(output.Writing.Wait(TimeSpan.FromSeconds(10))); // the writer is now stuck in Write

        var appending = Task.Run(() =>
        {
            for (var i = 0; i < LogSink.MaxPendingBytes / line.Length + 100; i++)
                sink.Append(line);
        });
        await appending.WaitAsync(TimeSpan.FromSeconds(10)); // throws TimeoutException if Append blocked
        Assert.Equal(100, sink.Dropped);

        output.Release.Set();
        sink.Dispose();
        Assert.Contains("edgegw: 100 log lines dropped: stdout did not keep up\n", Encoding.UTF8.GetString(output.ToArray()), StringComparison.Ordinal);
    }

    /// <summary>A stdout whose first write blocks until released.</summary>
    private sealed class GatedStream : MemoryStream
    {
        public ManualResetEventSlim Writing { get; } = new();
        public ManualResetEventSlim Release { get; } = new();

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            Writing.Set();
            Release.Wait();
            base.Write(buffer);
        }
    }
}

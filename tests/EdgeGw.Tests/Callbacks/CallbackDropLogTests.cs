using EdgeGw.Observability.Callbacks;
using EdgeGw.Tests.Ops;

namespace EdgeGw.Tests.Callbacks;

/// <summary>A destination that is down is reported by one rate-limited warning, not a line per event or per batch.</summary>
public sealed class CallbackDropLogTests
{
    private sealed class Down : ICallbackDestination
    {
        public string Name => "hook";

        public Task SendAsync(ReadOnlyMemory<CallbackEvent> batch, CancellationToken cancel) =>
            throw new HttpRequestException("Connection refused (127.0.0.1:9)");
    }

    [Fact]
    public async Task DestinationDown_OneWarningNamingTheErrorForManyDroppedBatches()
    {
        using var log = new CapturedLog();
        var options = new CallbackOptions
        {
            QueueCapacity = 4,
            BatchSize = 2,
            FlushInterval = TimeSpan.FromMilliseconds(5),
            MaxAttempts = 2,
            FirstRetry = TimeSpan.FromMilliseconds(1),
        };
        await using (var worker = new CallbackWorker(new Down(), options, log.CreateLogger("callbacks")))
        {
            for (var i = 0; i < 200 && worker.Dropped < 40; i++)
            {
                worker.Enqueue(new CallbackEvent(CallbackRows.Success($"r{i}"), null));
                await Task.Delay(5);
            }
            Assert.InRange(worker.Dropped, 40, 200);
        }

        var warning = Assert.Single(log.Entries, e => e.Level == Microsoft.Extensions.Logging.LogLevel.Warning && e.Message.Contains("dropped", StringComparison.Ordinal));
        Assert.Contains("callback hook", warning.Message, StringComparison.Ordinal);
        Assert.Contains("Connection refused", warning.Message, StringComparison.Ordinal);
    }
}

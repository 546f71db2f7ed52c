using EdgeGw.Api;
using EdgeGw.Config;
using EdgeGw.Observability.Callbacks;
using EdgeGw.Storage;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeGw.Tests.Callbacks;

/// <summary>The request path's only callback cost, <see cref="CallbackDispatcher.Publish"/>, allocates nothing (bench/ CallbackPublishBenchmarks).</summary>
public sealed class CallbackPublishAllocationTests
{
    private static readonly SpendRow Row = CallbackRows.Success("req-1");

    private static CallbackSettings TwoHooks() => new()
    {
        // A closed port and a flush interval longer than the test: the workers never take events out.
        GenericApi =
        [
            new GenericApiCallback("one", new Uri("http://127.0.0.1:9/logs"), [], true, true, GenericLogFormat.JsonArray) { FlushInterval = TimeSpan.FromHours(1) },
            new GenericApiCallback("two", new Uri("http://127.0.0.1:9/logs"), [], true, true, GenericLogFormat.JsonArray) { FlushInterval = TimeSpan.FromHours(1) },
        ],
    };

    [Fact]
    public async Task PublishToTwoDestinationsWithFullQueues_AllocatesNothingAndCountsDrops()
    {
        var options = new CallbackOptions { QueueCapacity = 64, BatchSize = 128 };
        await using var dispatcher = new CallbackDispatcher(TwoHooks(), NullLogger.Instance, options);
        var error = new GatewayError(503, "upstream down", "api_error");
        var streamed = TimeSpan.FromMilliseconds(200);

        var allocated = Api.HotPathAllocationTests.AllocatedBy(() =>
        {
            dispatcher.Publish(Row, null, streamed);
            dispatcher.Publish(Row, error, null);
        });

        Assert.Equal(0, allocated);
        Assert.All(dispatcher.Workers, w =>
        {
            Assert.Equal(options.QueueCapacity, w.Queued);
            Assert.Equal(2 * 12_000 - options.QueueCapacity, w.Dropped);
        });
    }
}

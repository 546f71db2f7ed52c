using System.Collections.Immutable;
using System.Text.Json;
using EdgeGw.Config;
using EdgeGw.Observability.Callbacks;
using EdgeGw.Storage;
using EdgeGw.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeGw.Tests.Callbacks;

/// <summary>A webhook that is down costs a bounded queue (oldest dropped, counted); once it is back, new events arrive.</summary>
public sealed class CallbackRecoveryTests
{
    private static SpendRow Row(string id) => CallbackRows.Success(id);

    private static bool Received(FakeUpstream sink, string id) =>
        sink.Requests.Any(r => JsonDocument.Parse(r.Body).RootElement.EnumerateArray()
            .Any(p => p.GetProperty("id").GetString() == id));

    [Fact]
    public async Task DestinationDownThenBack_QueueStaysBoundedAndLaterEventsArrive()
    {
        await using var sink = await FakeUpstream.StartAsync();
        var up = false;
        sink.Handle(async (c, _) =>
        {
            c.Response.StatusCode = Volatile.Read(ref up) ? 200 : 503;
            await c.Response.WriteAsync("{}");
        });
        var hook = new GenericApiCallback("hook", new Uri(sink.Url + "/logs"), [new("x-up", "1")], true, true, GenericLogFormat.JsonArray);
        using var http = new HttpClient();
        var options = new CallbackOptions
        {
            QueueCapacity = 4,
            BatchSize = 2,
            FlushInterval = TimeSpan.FromMilliseconds(10),
            MaxAttempts = 2,
            FirstRetry = TimeSpan.FromMilliseconds(1),
        };
        await using var worker = new CallbackWorker(new GenericApiDestination(hook, http), options, NullLogger.Instance);

        for (var i = 0; i < 50; i++)
        {
            worker.Enqueue(new CallbackEvent(Row($"down-{i}"), null));
            Assert.InRange(worker.Queued, 0, options.QueueCapacity);
        }
        for (var i = 0; i < 500 && sink.Requests.IsEmpty; i++)
            await Task.Delay(20);
        Assert.NotEmpty(sink.Requests);
        Assert.InRange(worker.Dropped, 50 - options.QueueCapacity - 2 * options.BatchSize, 50);

        Volatile.Write(ref up, true);
        worker.Enqueue(new CallbackEvent(Row("after"), null));
        for (var i = 0; i < 500 && !Received(sink, "after"); i++)
            await Task.Delay(20);

        Assert.True(Received(sink, "after"));
        Assert.All(sink.Requests, r => Assert.InRange(JsonDocument.Parse(r.Body).RootElement.GetArrayLength(), 1, options.BatchSize));
    }
}

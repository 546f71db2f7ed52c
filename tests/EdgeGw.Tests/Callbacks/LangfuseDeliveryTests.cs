using System.Text.Json;
using EdgeGw.Config;
using EdgeGw.Observability.Callbacks;
using EdgeGw.Observability.Callbacks.Langfuse;
using EdgeGw.Storage;
using EdgeGw.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeGw.Tests.Callbacks;

/// <summary>What the langfuse callback does when Langfuse is down or refuses events.</summary>
public sealed class LangfuseDeliveryTests
{
    private static readonly CallbackOptions Options = new()
    {
        QueueCapacity = 4,
        BatchSize = 2,
        FlushInterval = TimeSpan.FromMilliseconds(10),
        MaxAttempts = 2,
        FirstRetry = TimeSpan.FromMilliseconds(1),
    };

    private static SpendRow Row(string id) => CallbackRows.Success(id);

    private static LangfuseCallback Settings(FakeUpstream sink) =>
        new(new Uri(sink.Url), FakeLangfuse.PublicKey, FakeLangfuse.SecretKey, true, true);

    private static bool Received(FakeUpstream sink, string id) =>
        sink.Requests.Any(r => JsonDocument.Parse(r.Body).RootElement.GetProperty("batch").EnumerateArray()
            .Any(e => e.GetProperty("body").TryGetProperty("traceId", out var t) && t.GetString() == id));

    private static async Task WaitAsync(Func<bool> done)
    {
        for (var i = 0; i < 500 && !done(); i++)
            await Task.Delay(20);
    }

    [Fact]
    public async Task LangfuseDownThenBack_QueueStaysBoundedAndLaterEventsArrive()
    {
        await using var sink = await FakeUpstream.StartAsync();
        var up = false;
        sink.Handle(async (c, _) =>
        {
            c.Response.StatusCode = Volatile.Read(ref up) ? 207 : 503;
            await c.Response.WriteAsync("""{"successes":[],"errors":[]}""");
        });
        using var http = new HttpClient();
        await using var worker = new CallbackWorker(new LangfuseDestination(Settings(sink), http, NullLogger.Instance), Options, NullLogger.Instance);

        for (var i = 0; i < 50; i++)
        {
            worker.Enqueue(new CallbackEvent(Row($"down-{i}"), null));
            Assert.InRange(worker.Queued, 0, Options.QueueCapacity);
        }
        await WaitAsync(() => !sink.Requests.IsEmpty);
        Assert.NotEmpty(sink.Requests);

        Volatile.Write(ref up, true);
        worker.Enqueue(new CallbackEvent(Row("after"), null));
        await WaitAsync(() => Received(sink, "after"));

        Assert.True(Received(sink, "after"));
        Assert.InRange(worker.Dropped, 50 - Options.QueueCapacity - 2 * Options.BatchSize, 50);
    }

    [Fact]
    public async Task EventsRefusedInA207_AreCountedAndNotSentAgain()
    {
        await using var sink = await FakeUpstream.StartAsync();
        sink.RespondJson("""{"successes":[{"id":"a","status":201}],"errors":[{"id":"b","status":400,"message":"Invalid request data","error":"bad"}]}""", 207);
        using var http = new HttpClient();
        var destination = new LangfuseDestination(Settings(sink), http, NullLogger.Instance);
        await using var worker = new CallbackWorker(destination, Options, NullLogger.Instance);

        worker.Enqueue(new CallbackEvent(Row("first"), null));
        await WaitAsync(() => destination.Rejected > 0);
        worker.Enqueue(new CallbackEvent(Row("second"), null));
        await WaitAsync(() => Received(sink, "second") && destination.Rejected > 1);

        Assert.Equal(2, destination.Rejected);
        // The worker sends in order: a retry of the first batch would have come before the second.
        Assert.Equal(2, sink.Requests.Count);
        Assert.Equal(0, worker.Dropped);
    }
}

using EdgeGw.Storage;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeGw.Tests.Models;

/// <summary>Reloads other replicas' model changes ask for: a burst coalesces into one in flight and one pending.</summary>
public sealed class ModelReloadsTests
{
    private static async Task WaitForAsync(Func<bool> done)
    {
        for (var i = 0; i < 500 && !done(); i++)
            await Task.Delay(10);
    }

    [Fact]
    public async Task HundredRequestsDuringAReload_CostOneMoreReload()
    {
        await using var reloads = new ModelReloads(NullLogger.Instance);
        var release = new TaskCompletionSource();
        var started = 0;
        reloads.Attach(async _ =>
        {
            Interlocked.Increment(ref started);
            await release.Task;
        }, reloads.Mark());

        reloads.Request();
        await WaitForAsync(() => Volatile.Read(ref started) == 1);
        for (var i = 0; i < 100; i++)
            reloads.Request();
        release.SetResult();
        await WaitForAsync(() => Volatile.Read(ref started) == 2);
        await Task.Delay(100);

        Assert.Equal(2, Volatile.Read(ref started));
    }

    [Fact]
    public async Task RequestBeforeAttach_ReloadsOnAttach()
    {
        await using var reloads = new ModelReloads(NullLogger.Instance);
        var mark = reloads.Mark();
        reloads.Request(); // heard while the runtime was loading its first snapshot
        var started = 0;

        reloads.Attach(_ =>
        {
            Interlocked.Increment(ref started);
            return Task.CompletedTask;
        }, mark);

        await WaitForAsync(() => Volatile.Read(ref started) == 1);
        Assert.Equal(1, Volatile.Read(ref started));
    }

    [Fact]
    public async Task FailedReload_NextRequestReloadsAgain()
    {
        await using var reloads = new ModelReloads(NullLogger.Instance);
        var started = 0;
        reloads.Attach(_ => Interlocked.Increment(ref started) == 1 ? throw new StoreUnavailableException("database down") : Task.CompletedTask, reloads.Mark());

        reloads.Request();
        await WaitForAsync(() => Volatile.Read(ref started) == 1);
        await Task.Delay(50);
        reloads.Request();
        await WaitForAsync(() => Volatile.Read(ref started) == 2);

        Assert.Equal(2, Volatile.Read(ref started));
    }
}

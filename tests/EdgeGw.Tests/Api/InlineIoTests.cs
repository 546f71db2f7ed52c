using EdgeGw.Api;

namespace EdgeGw.Tests.Api;

/// <summary>Inline socket I/O: on unless the environment chose, and a route or loop that left the socket threads never comes back to one.</summary>
public sealed class InlineIoTests
{
    [Fact]
    public void VariableUnset_TurnsItOn() => Assert.True(InlineIo.Wanted(null));

    [Theory]
    [InlineData("0")]
    [InlineData("1")]
    public void VariableAlreadySet_LeftAsTheEnvironmentChose(string setting) => Assert.False(InlineIo.Wanted(setting));

    [Fact]
    public Task AfterToPool_AwaitsCompletedOnAnotherThreadResumeOnThePool() =>
        ResumesOnThePool(body => Task.Run(async () =>
        {
            await InlineIo.ToPool();
            await body();
        }));

    [Fact]
    public Task BackgroundLoop_AwaitsCompletedOnAnotherThreadResumeOnThePool() => ResumesOnThePool(InlineIo.Run);

    // Fails with a plain Task.Run: its continuations run on whichever thread completed what it awaited.
    private static async Task ResumesOnThePool(Func<Func<Task>, Task> start)
    {
        // Stand-ins for socket reads completed on an epoll thread: completions run their continuations inline.
        var first = new TaskCompletionSource();
        var second = new TaskCompletionSource();
        var resumed = new List<(int Thread, bool Pool)>();
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var route = start(async () =>
        {
            entered.SetResult();
            await first.Task;
            resumed.Add((Environment.CurrentManagedThreadId, Thread.CurrentThread.IsThreadPoolThread));
            await second.Task;
            resumed.Add((Environment.CurrentManagedThreadId, Thread.CurrentThread.IsThreadPoolThread));
        });
        await entered.Task;

        var completers = new List<int>();
        foreach (var source in new[] { first, second })
        {
            await Task.Delay(50); // the route is waiting on it by now
            var thread = new Thread(() =>
            {
                lock (completers)
                    completers.Add(Environment.CurrentManagedThreadId);
                source.SetResult();
            });
            thread.Start();
            thread.Join();
        }
        await route.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(2, resumed.Count);
        Assert.All(resumed, r => Assert.True(r.Pool));
        Assert.DoesNotContain(resumed, r => completers.Contains(r.Thread));
    }
}

using System.Diagnostics;
using System.Runtime.CompilerServices;
using EdgeGw.Buffers;
using Xunit.Abstractions;

namespace EdgeGw.Tests.Buffers;

/// <summary>
/// The request path's own pooled async builder: what an awaiting caller sees (results, exceptions, cancellation,
/// AsyncLocal values) is what the runtime's builders give, and boxes are reused with many methods suspended at once.
/// </summary>
public sealed class PooledValueTaskMethodBuilderTests(ITestOutputHelper output)
{
    private static readonly AsyncLocal<string?> Flowing = new();

    [Fact]
    public async Task NeverSuspends_CompletesWithoutAllocating()
    {
        Assert.Equal(7, await AddAsync(3, 4, suspend: null)); // warm-up
        await NoResultAsync(suspend: null);

        var before = GC.GetAllocatedBytesForCurrentThread();
        var task = AddAsync(3, 4, suspend: null);
        var done = NoResultAsync(suspend: null);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.True(task.IsCompletedSuccessfully);
        Assert.True(done.IsCompletedSuccessfully);
        Assert.Equal(7, await task);
        Assert.Equal(0, allocated);
    }

    [Fact]
    public async Task SuspendsThenReturns_AwaiterGetsResult()
    {
        Assert.Equal(7, await AddAsync(3, 4, suspend: Task.Delay(1)));
        await NoResultAsync(suspend: Task.Delay(1));
    }

    [Fact]
    public async Task ThrowsAfterSuspending_AwaiterGetsTheException()
    {
        var gate = new TaskCompletionSource();
        var task = ThrowAsync(gate.Task);
        Assert.False(task.IsCompleted);

        gate.SetResult();

        var e = await Assert.ThrowsAsync<InvalidDataException>(async () => await task);
        Assert.Equal("bad answer", e.Message);
    }

    [Fact]
    public async Task ThrowsBeforeSuspending_TaskIsFaultedWithTheException()
    {
        var task = ThrowAsync(suspend: null);

        Assert.True(task.IsFaulted);
        await Assert.ThrowsAsync<InvalidDataException>(async () => await task);
    }

    [Fact]
    public async Task CanceledWhileSuspended_TaskIsCanceled()
    {
        using var cancel = new CancellationTokenSource();
        var task = AddAsync(1, 2, Task.Delay(Timeout.Infinite, cancel.Token));

        await cancel.CancelAsync();
        Assert.True(SpinWait.SpinUntil(() => task.IsCompleted, TimeSpan.FromSeconds(30)));

        Assert.True(task.IsCanceled); // read before the await below returns the box
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await task);
    }

    [Fact]
    public async Task AsyncLocalAndActivity_FlowIntoEveryAwaitAndNotBackOut()
    {
        using var activity = new Activity("request").Start();
        Flowing.Value = "caller";

        var seen = await SeeContextAsync();

        Assert.Equal(("caller", "inside", activity, activity), seen);
        Assert.Equal("caller", Flowing.Value); // the method's own value stays inside it
        Assert.Same(activity, Activity.Current);
    }

    [Fact]
    public async Task ResultReadTwice_SecondReadThrows()
    {
        var gate = new TaskCompletionSource();
        var task = AddAsync(1, 2, gate.Task);
        gate.SetResult();
        Assert.Equal(3, await task);

        Assert.Throws<InvalidOperationException>(() => task.Result); // the box went back to the pool: its token moved on
        Assert.Equal(5, await AddAsync(2, 3, Hop())); // and the pool still serves correct boxes
    }

    [Fact]
    public void ManySuspendedAtOnce_BoxesAreReused()
    {
        const int inFlight = 64; // above the runtime pool's one box per thread + one per core
        const int rounds = 20;
        var gate = new Gate(inFlight);
        var tasks = new ValueTask<int>[inFlight];
        var wrong = RunRound(gate, tasks); // warm-up: boxes made, JIT done

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var r = 0; r < rounds; r++)
            wrong += RunRound(gate, tasks);
        var perRound = (GC.GetAllocatedBytesForCurrentThread() - before) / (double)rounds;

        output.WriteLine($"{perRound:0} B per round of {inFlight} suspended methods");
        Assert.Equal(0, wrong);
        Assert.Equal(0, perRound);
    }

    [Fact]
    public async Task ManyConcurrentCallsAcrossThreads_EachGetsItsOwnResult()
    {
        const int workers = 16;
        const int callsEach = 2_000;
        var sums = await Task.WhenAll(Enumerable.Range(0, workers).Select(w => Task.Run(async () =>
        {
            long sum = 0;
            for (var i = 0; i < callsEach; i++)
                sum += await AddAsync(w, i, Hop());
            return sum;
        })));

        for (var w = 0; w < workers; w++)
            Assert.Equal((long)w * callsEach + ((long)callsEach * (callsEach - 1) / 2), sums[w]);
    }

    /// <summary>The number of methods whose result was not their own (checked by the caller: xunit's Assert allocates).</summary>
    private static int RunRound(Gate gate, ValueTask<int>[] tasks)
    {
        for (var i = 0; i < tasks.Length; i++)
            tasks[i] = WaitAtGateAsync(gate, i);
        gate.Open(); // the methods complete here, inline, on this thread
        var wrong = 0;
        for (var i = 0; i < tasks.Length; i++)
            wrong += tasks[i].Result == i ? 0 : 1; // reading the result returns the box
        return wrong;
    }

    [AsyncMethodBuilder(typeof(PooledValueTaskMethodBuilder<>))]
    private static async ValueTask<int> AddAsync(int a, int b, Task? suspend)
    {
        if (suspend is not null)
            await suspend;
        return a + b;
    }

    [AsyncMethodBuilder(typeof(PooledValueTaskMethodBuilder))]
    private static async ValueTask NoResultAsync(Task? suspend)
    {
        if (suspend is not null)
            await suspend;
    }

    [AsyncMethodBuilder(typeof(PooledValueTaskMethodBuilder<>))]
    private static async ValueTask<int> ThrowAsync(Task? suspend)
    {
        if (suspend is not null)
            await suspend;
        throw new InvalidDataException("bad answer");
    }

    [AsyncMethodBuilder(typeof(PooledValueTaskMethodBuilder<>))]
    private static async ValueTask<(string?, string?, Activity?, Activity?)> SeeContextAsync()
    {
        await Task.Yield();
        var first = (Flowing.Value, Activity.Current);
        Flowing.Value = "inside";
        await Task.Delay(1);
        return (first.Value, Flowing.Value, first.Current, Activity.Current); // its own value survives its next await
    }

    [AsyncMethodBuilder(typeof(PooledValueTaskMethodBuilder<>))]
    private static async ValueTask<int> WaitAtGateAsync(Gate gate, int value)
    {
        await gate;
        return value;
    }

    // A suspension that resumes on the thread pool.
    private static async Task Hop() => await Task.Yield();

    /// <summary>An awaitable that allocates nothing: its waiters' continuations are kept in an array and run by <see cref="Open"/>.</summary>
    private sealed class Gate(int capacity) : ICriticalNotifyCompletion
    {
        private readonly Action[] _waiters = new Action[capacity];
        private int _count;

        public Gate GetAwaiter() => this;
        public bool IsCompleted => false;
        public void GetResult()
        {
        }

        public void OnCompleted(Action continuation) => UnsafeOnCompleted(continuation);
        public void UnsafeOnCompleted(Action continuation) => _waiters[_count++] = continuation;

        public void Open()
        {
            var count = _count;
            _count = 0;
            for (var i = 0; i < count; i++)
                _waiters[i]();
        }
    }
}

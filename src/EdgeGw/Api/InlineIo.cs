using System.Runtime.CompilerServices;

namespace EdgeGw.Api;

/// <summary>
/// Model requests run on the socket engine's threads from the client's read to the upstream's answer,
/// with no thread-pool hand-off between them: the runtime's inline socket completions
/// (<c>DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1</c>, one epoll thread per core) with Kestrel's
/// inline scheduling. A thread that blocks there stalls every socket on its engine (and deadlocks it
/// when it waits for one of them), so routes that may wait on the database or a lock leave first
/// (<see cref="ToPool"/>), and background loops run on the pool for good (<see cref="Run"/>): a loop that awaited
/// one socket and then waited synchronously on another from there could wait for itself. Setting the variable to 0
/// turns the mode off.
/// </summary>
internal static class InlineIo
{
    public const string Variable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    /// <summary>Whether socket completions run inline: the runtime reads the variable once, at its first socket.</summary>
    /// <remarks>Read each time, not cached in a static: a cache filled before <see cref="Enable"/> would disagree with the runtime.</remarks>
    public static bool Enabled => Environment.GetEnvironmentVariable(Variable) == "1";

    /// <summary>
    /// Turns the mode on unless the environment chose; call before the process's first socket. With PostgreSQL and
    /// Redis too: their clients' own work stays off the socket threads (StackExchange.Redis reads and completes on its
    /// own threads, Npgsql's cancellations run on the thread that cancels or, for a timeout, on the pool), and nothing
    /// of EdgeGw's waits synchronously on a socket thread — routes that may wait leave first, background loops run on
    /// the pool, Redis writes from a request use the asynchronous forms (README "Inline socket I/O").
    /// </summary>
    public static void Enable()
    {
        if (Wanted(Environment.GetEnvironmentVariable(Variable)))
            Environment.SetEnvironmentVariable(Variable, "1");
    }

    /// <summary>Whether <see cref="Enable"/> turns the mode on, given the variable as the environment set it.</summary>
    internal static bool Wanted(string? setting) => setting is null;

    /// <summary>
    /// Starts a background loop on the thread pool with every later continuation of it kept there
    /// (<see cref="ToPool"/>, which always posts: the caller returns at once), where <c>Task.Run</c> would keep it
    /// there only until its first awaited socket read.
    /// </summary>
    public static async Task Run(Func<Task> loop)
    {
        await ToPool();
        await loop();
    }

    /// <summary>
    /// Moves the awaiting method to the thread pool and keeps it there: every later await in it (and in what
    /// it awaits without <c>ConfigureAwait(false)</c>) resumes on a pool thread, not on the socket thread that
    /// completed the I/O. A hop to the pool alone would last only until the first socket read.
    /// </summary>
    public static PoolHop ToPool() => default;

    public readonly struct PoolHop : ICriticalNotifyCompletion
    {
        public PoolHop GetAwaiter() => this;
        public bool IsCompleted => false;
        public void GetResult() { }
        public void OnCompleted(Action continuation) => PoolContext.Instance.Post(static c => ((Action)c!)(), continuation);
        public void UnsafeOnCompleted(Action continuation) => OnCompleted(continuation);
    }

    /// <summary>Posts every continuation to the thread pool, running it with this context current so the next await posts here too.</summary>
    private sealed class PoolContext : SynchronizationContext
    {
        public static readonly PoolContext Instance = new();

        public override void Post(SendOrPostCallback d, object? state) =>
            ThreadPool.UnsafeQueueUserWorkItem(static work => Run(work.d, work.state), (d, state), preferLocal: false);

        public override void Send(SendOrPostCallback d, object? state) => Run(d, state);

        public override SynchronizationContext CreateCopy() => this;

        private static void Run(SendOrPostCallback d, object? state)
        {
            var previous = Current;
            SetSynchronizationContext(Instance);
            try
            {
                d(state);
            }
            finally
            {
                SetSynchronizationContext(previous);
            }
        }
    }
}

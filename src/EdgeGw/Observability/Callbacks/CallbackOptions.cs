namespace EdgeGw.Observability.Callbacks;

/// <summary>How a callback worker batches and retries. Defaults follow LiteLLM's batch loggers (512 events or 5 s).</summary>
internal sealed record CallbackOptions
{
    /// <summary>Events held per destination before the oldest are dropped.</summary>
    public int QueueCapacity { get; init; } = DefaultQueueCapacity;
    /// <summary>LiteLLM's <c>MAX_SIZE_IN_MEMORY_QUEUE</c> default.</summary>
    public const int DefaultQueueCapacity = 10_000;
    public int BatchSize { get; init; } = 512;
    public TimeSpan FlushInterval { get; init; } = TimeSpan.FromSeconds(5);
    /// <summary>Sends of one batch before its events are counted as dropped.</summary>
    public int MaxAttempts { get; init; } = 3;
    public TimeSpan FirstRetry { get; init; } = TimeSpan.FromSeconds(1);
    public TimeSpan LongestRetry { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>At most one "dropped" log line per destination this often.</summary>
    public TimeSpan DropLogInterval { get; init; } = TimeSpan.FromSeconds(30);
}

namespace EdgeGw.Observability.Callbacks;

/// <summary>Where one configured callback sends its batches (generic_api webhook; Langfuse next).</summary>
internal interface ICallbackDestination
{
    /// <summary>The callback's name as configured; the <c>callback</c> label of its metrics.</summary>
    string Name { get; }

    /// <summary>Sends one batch; throws when the destination did not take it (the worker retries).</summary>
    Task SendAsync(ReadOnlyMemory<CallbackEvent> batch, CancellationToken cancel);
}

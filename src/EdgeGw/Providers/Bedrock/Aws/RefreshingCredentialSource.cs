namespace EdgeGw.Providers.Bedrock.Aws;

/// <summary>
/// Temporary credentials fetched by <paramref name="fetch"/> (an STS call), cached until five minutes before
/// they expire. One refresh runs at a time: concurrent callers await the same fetch rather than each calling STS.
/// If a refresh fails while the cached credentials are still valid, those are used.
/// </summary>
internal sealed class RefreshingCredentialSource(Func<CancellationToken, Task<AwsCredentials>> fetch, TimeProvider time) : AwsCredentialSource
{
    /// <summary>Refresh this long before expiry, so a request signed now does not arrive with dead credentials.</summary>
    public static readonly TimeSpan RefreshAhead = TimeSpan.FromMinutes(5);

    /// <summary>Bounds one fetch; callers give up on their own token but the fetch finishes for the next caller.</summary>
    private static readonly TimeSpan FetchTimeout = TimeSpan.FromSeconds(30);

    private readonly Lock _gate = new();
    private AwsCredentials? _current;
    private Task<AwsCredentials>? _refresh;

    public override ValueTask<AwsCredentials> GetAsync(CancellationToken cancellationToken)
    {
        var current = Volatile.Read(ref _current);
        return current is not null && IsFresh(current) ? new(current) : new(RefreshAsync(cancellationToken));
    }

    private bool IsFresh(AwsCredentials credentials) =>
        credentials.Expiration is not { } expires || time.GetUtcNow() < expires - RefreshAhead;

    private async Task<AwsCredentials> RefreshAsync(CancellationToken cancellationToken)
    {
        Task<AwsCredentials> refresh;
        AwsCredentials? current;
        lock (_gate)
        {
            current = _current;
            if (current is not null && IsFresh(current))
                return current;
            refresh = _refresh ??= FetchAsync();
        }
        try
        {
            return await refresh.WaitAsync(cancellationToken);
        }
        catch (AwsCredentialException) when (current?.Expiration is { } expires && time.GetUtcNow() < expires)
        {
            return current;
        }
    }

    private async Task<AwsCredentials> FetchAsync()
    {
        // Runs the fetch after the caller has published this task under the lock, so the finally below clears it.
        await Task.Yield();
        try
        {
            using var timeout = new CancellationTokenSource(FetchTimeout);
            var fresh = await fetch(timeout.Token);
            Volatile.Write(ref _current, fresh);
            return fresh;
        }
        catch (OperationCanceledException e)
        {
            throw new AwsCredentialException(500, $"fetching AWS credentials timed out after {FetchTimeout.TotalSeconds:0}s", e);
        }
        catch (Exception e) when (e is not AwsCredentialException)
        {
            // Only the type: an unexpected exception's message is not known to be free of secrets.
            throw new AwsCredentialException(500, $"fetching AWS credentials failed ({e.GetType().Name})", e);
        }
        finally
        {
            lock (_gate)
                _refresh = null;
        }
    }
}

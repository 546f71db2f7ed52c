namespace EdgeGw.Limits;

/// <summary>
/// The limits of one key, team, user, deployment or of the whole gateway. Lives as long as the
/// entity's cached record; <see cref="Update"/> changes limits without resetting usage.
/// </summary>
internal sealed class EntityLimits(string scope, string name, string? id = null)
{
    /// <summary>What is limited, for messages: "key", "team", "user", "deployment", "global".</summary>
    public string Scope { get; } = scope;
    public string Name { get; } = name;
    /// <summary>Unique among all entities and stable across replicas (a key by its hash, never the key): names its state in Redis.</summary>
    public string Id { get; } = id ?? $"{scope}:{name}";
    public RateBucket? Requests { get; private set; }
    public RateBucket? Tokens { get; private set; }
    public ParallelLimit? Parallel { get; private set; }

    private readonly Lock _update = new();
    private (long? Rpm, long? Tpm, int? Parallel) _applied;

    public bool IsEmpty => Requests is null && Tokens is null && Parallel is null;

    /// <summary>
    /// Brings the limits in line with the entity's current settings (read on every request, so an
    /// admin update or a config reload takes effect at once); a no-op when nothing changed.
    /// </summary>
    public EntityLimits Ensure(long? rpm, long? tpm, int? maxParallel, long now) =>
        _applied == (rpm, tpm, maxParallel) ? this : Update(rpm, tpm, maxParallel, now);

    public EntityLimits Update(long? rpm, long? tpm, int? maxParallel, long now)
    {
        using var _ = _update.EnterScope();
        if (_applied == (rpm, tpm, maxParallel))
            return this;
        Requests = Resize(Requests, rpm, now);
        Tokens = Resize(Tokens, tpm, now);
        if (maxParallel is null)
            Parallel = null;
        else if (Parallel is null)
            Parallel = new ParallelLimit(maxParallel.Value);
        else
            Parallel.SetLimit(maxParallel.Value);
        // Published last: a request that sees the new settings applied also sees the new buckets.
        _applied = (rpm, tpm, maxParallel);
        return this;
    }

    private static RateBucket? Resize(RateBucket? bucket, long? limit, long now)
    {
        if (limit is null)
            return null;
        if (bucket is null)
            return new RateBucket(limit.Value);
        bucket.SetLimit(limit.Value, now);
        return bucket;
    }
}

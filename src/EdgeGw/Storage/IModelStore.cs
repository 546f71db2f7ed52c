namespace EdgeGw.Storage;

/// <summary>
/// Models added at run time (<c>/model/new</c>), kept in LiteLLM's <c>LiteLLM_ProxyModelTable</c> on
/// PostgreSQL and <c>proxy_models</c> in SQLite. Params and info are JSON text exactly as stored:
/// secret values inside <c>litellm_params</c> arrive already encrypted, this store never decrypts.
/// </summary>
internal interface IModelStore
{
    /// <summary>Every stored model, oldest first (then by id, so the order is stable).</summary>
    Task<IReadOnlyList<StoredModel>> ListAsync(CancellationToken cancel = default);

    Task<StoredModel?> GetAsync(string modelId, CancellationToken cancel = default);

    /// <summary>Adds the row; false when its id is already taken (nothing is written).</summary>
    Task<bool> InsertAsync(StoredModel model, CancellationToken cancel = default);

    /// <summary>
    /// Replaces name, params and info, and stamps <paramref name="updatedAt"/>/<paramref name="updatedBy"/>;
    /// created_at/created_by stay. Returns the row as stored, or null when no row has that id.
    /// </summary>
    Task<StoredModel?> UpdateAsync(string modelId, string modelName, string litellmParamsJson, string? modelInfoJson,
        DateTimeOffset updatedAt, string updatedBy, CancellationToken cancel = default);

    /// <summary>False when no row had that id.</summary>
    Task<bool> DeleteAsync(string modelId, CancellationToken cancel = default);
}

/// <summary>One row of the model table; times are UTC to the millisecond (what both databases keep).</summary>
internal sealed record StoredModel(string ModelId, string ModelName, string LitellmParamsJson, string? ModelInfoJson,
    DateTimeOffset CreatedAt, string CreatedBy, DateTimeOffset UpdatedAt, string UpdatedBy)
{
    /// <summary>LiteLLM_ProxyModelTable.blocked (newer LiteLLM): the row stays stored but is not served. Always false in SQLite.</summary>
    public bool Blocked { get; init; }
}

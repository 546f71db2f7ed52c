namespace EdgeGw.Storage;

/// <summary>
/// Provider credentials stored through <c>/credentials</c>, kept in LiteLLM's <c>LiteLLM_CredentialsTable</c> on
/// PostgreSQL and <c>credentials</c> in SQLite. Values and info are JSON text exactly as stored: each value
/// arrives already encrypted, this store never decrypts.
/// </summary>
internal interface ICredentialStore
{
    /// <summary>Every stored credential, oldest first (then by name, so the order is stable).</summary>
    Task<IReadOnlyList<StoredCredential>> ListAsync(CancellationToken cancel = default);

    Task<StoredCredential?> GetAsync(string name, CancellationToken cancel = default);

    /// <summary>Adds the row; false when its name is already taken (nothing is written).</summary>
    Task<bool> InsertAsync(StoredCredential credential, CancellationToken cancel = default);

    /// <summary>
    /// Replaces the row named <paramref name="name"/> with <paramref name="updated"/>'s name, values and info and
    /// stamps its updated_at/by; id and created_at/by stay. False when no row has that name or the new name is taken.
    /// </summary>
    Task<bool> UpdateAsync(string name, StoredCredential updated, CancellationToken cancel = default);

    /// <summary>False when no row had that name.</summary>
    Task<bool> DeleteAsync(string name, CancellationToken cancel = default);
}

/// <summary>One row of the credentials table; times are UTC to the millisecond (what both databases keep).</summary>
internal sealed record StoredCredential(string CredentialId, string CredentialName, string ValuesJson, string? InfoJson,
    DateTimeOffset CreatedAt, string CreatedBy, DateTimeOffset UpdatedAt, string UpdatedBy);

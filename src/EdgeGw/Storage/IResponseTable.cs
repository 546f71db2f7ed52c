using EdgeGw.Api.Responses;

namespace EdgeGw.Storage;

/// <summary>The database side of <see cref="ResponseStore"/>: one adapter per backend, each a handful of statements.</summary>
internal interface IResponseTable
{
    /// <summary>Writes the turns in one transaction; an id already stored is left as it is (a retried batch).</summary>
    Task InsertAsync(IReadOnlyList<StoredResponse> batch, CancellationToken cancel);

    Task<StoredResponse?> GetAsync(string id, CancellationToken cancel);

    Task<bool> DeleteAsync(string id, CancellationToken cancel);

    /// <summary>Deletes turns created before <paramref name="cutoff"/>, then all but the newest <paramref name="keepNewest"/>; returns how many.</summary>
    Task<long> PurgeAsync(DateTimeOffset cutoff, int keepNewest, CancellationToken cancel);
}

namespace EdgeGw.Api.Responses;

/// <summary>
/// Where Responses turns are kept (<c>store: true</c>, the default) so <c>previous_response_id</c>,
/// GET, DELETE and input_items work. <see cref="Save"/> is off the request path: the turn is visible
/// to <see cref="GetAsync"/> on this process at once (held in memory until written) and reaches the
/// database in the next batch, like spend rows; other replicas see it once that batch commits.
/// </summary>
internal interface IResponseStore
{
    /// <summary>Queues the turn; never blocks, never throws (a full queue drops the oldest unwritten turn and counts it).</summary>
    void Save(StoredResponse response);

    /// <summary>The turn, or null when unknown, deleted or past retention.</summary>
    ValueTask<StoredResponse?> GetAsync(string id, CancellationToken ct);

    /// <summary>True when a turn with this id existed and is now gone.</summary>
    ValueTask<bool> DeleteAsync(string id, CancellationToken ct);
}

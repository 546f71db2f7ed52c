namespace EdgeGw.Spend;

/// <summary>
/// A model's prices in dollars per million tokens. Cached-input and cache-write rates default to
/// the input rate; every rate may step up with the prompt's size (<see cref="TieredRate"/>).
/// <see cref="MaxOutputTokens"/> (a cost map's <c>max_output_tokens</c>) bounds what a request without
/// <c>max_tokens</c> reserves against budgets and tpm limits.
/// </summary>
internal sealed record ModelPrice(
    string Model,
    TieredRate Input,
    TieredRate Output,
    TieredRate? CachedInput = null,
    TieredRate? CacheWrite = null,
    long? MaxOutputTokens = null);

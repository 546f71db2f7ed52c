namespace EdgeGw.Spend;

/// <summary>
/// A model's prices in dollars per million tokens. Cached-input and cache-write rates default to
/// the input rate; every rate may step up with the prompt's size (<see cref="TieredRate"/>).
/// <see cref="MaxOutputTokens"/> (a cost map's <c>max_output_tokens</c>) bounds what a request without
/// <c>max_tokens</c> reserves against budgets and tpm limits; <see cref="MaxInputTokens"/> is the context window
/// <c>enable_pre_call_checks</c> uses for deployments without <c>model_info.max_input_tokens</c>.
/// </summary>
internal sealed record ModelPrice(
    string Model,
    TieredRate Input,
    TieredRate Output,
    TieredRate? CachedInput = null,
    TieredRate? CacheWrite = null,
    long? MaxOutputTokens = null,
    long? MaxInputTokens = null);

namespace EdgeGw.Spend;

/// <summary>
/// A model's list prices in dollars per million tokens. Above <see cref="LongContextThreshold"/>
/// prompt tokens the whole request is billed at the <c>LongContext</c> rates (Anthropic's and
/// Google's rule). Cached-input and cache-write rates default to the input rate.
/// </summary>
internal sealed record ModelPrice(
    string Model,
    decimal Input,
    decimal Output,
    decimal? CachedInput = null,
    decimal? CacheWrite = null,
    long? LongContextThreshold = null,
    decimal? LongContextInput = null,
    decimal? LongContextOutput = null,
    decimal? LongContextCachedInput = null,
    decimal? LongContextCacheWrite = null);

using EdgeGw.Config;

namespace EdgeGw.Tests.Cache;

/// <summary>LiteLLM's <c>litellm_settings.cache</c> / <c>cache_params</c> as EdgeGw reads them.</summary>
public sealed class CacheSettingsTests
{
    private static GatewayConfig Parse(string yaml, Dictionary<string, string>? env = null) =>
        ConfigLoader.Parse("general_settings: { master_key: sk-x }\n" + yaml, n => env?.GetValueOrDefault(n));

    [Fact]
    public void CacheTrueWithRedisParams_RedisCacheWithTtlAndNamespace()
    {
        var config = Parse("litellm_settings: { cache: true, cache_params: { type: redis, host: r, port: 6380, password: pw, ttl: 600, namespace: litellm.caching } }");

        Assert.Equal((CacheType.Redis, TimeSpan.FromSeconds(600), "litellm.caching"), (config.Cache!.Type, config.Cache.Ttl, config.Cache.Namespace));
        Assert.Equal(("r", 6380), (config.Redis!.Host, config.Redis.Port));
        Assert.Empty(config.IgnoredKeys);
        Assert.Empty(config.Deferred);
    }

    [Fact]
    public void CacheTrueWithRedisHostInEnvironmentOnly_RedisCache()
    {
        var config = Parse("litellm_settings: { cache: true }", new() { ["REDIS_HOST"] = "10.0.0.5" });

        Assert.Equal(CacheType.Redis, config.Cache!.Type);
        Assert.Equal("10.0.0.5", config.Redis!.Host);
    }

    [Fact]
    public void CacheTrueWithoutAnyRedis_LocalCache()
    {
        var config = Parse("litellm_settings: { cache: true }");

        Assert.Equal((CacheType.Local, CacheCallTypes.All, false), (config.Cache!.Type, config.Cache.CallTypes, config.Cache.DefaultOff));
    }

    [Fact]
    public void CacheOff_NoCache()
    {
        Assert.Null(Parse("litellm_settings: { cache: false, cache_params: { type: local } }").Cache);
        Assert.Null(Parse("litellm_settings: { cache_params: { type: local } }").Cache);
    }

    [Fact]
    public void ModeDefaultOffAndCallTypes_Read()
    {
        var config = Parse("litellm_settings: { cache: true, cache_params: { type: local, mode: default_off, supported_call_types: [acompletion, aembedding] } }");

        Assert.True(config.Cache!.DefaultOff);
        Assert.Equal(CacheCallTypes.Completion | CacheCallTypes.Embedding, config.Cache.CallTypes);
    }

    [Fact]
    public void LocalSizeLimits_ReadInLiteLlmUnits()
    {
        var config = Parse("litellm_settings: { cache: true, cache_params: { type: local, max_size_in_memory: 50, max_size_per_item: 64, max_memory_mb: 8 } }");

        Assert.Equal((50, 64 * 1024, 8L * 1024 * 1024), (config.Cache!.MaxEntries, config.Cache.MaxEntryBytes, config.Cache.MaxBytes));
    }

    [Fact]
    public void UnsupportedCacheType_WarnedAndCachedLocally()
    {
        var config = Parse("litellm_settings: { cache: true, cache_params: { type: s3 } }");

        Assert.Equal(CacheType.Local, config.Cache!.Type);
        Assert.Contains(config.Warnings, w => w.StartsWith("litellm_settings.cache_params.type: 's3'", StringComparison.Ordinal));
    }

    [Fact]
    public void BadMode_RefusedNamingTheKey()
    {
        var error = Assert.Throws<ConfigException>(() => Parse("litellm_settings: { cache: true, cache_params: { mode: sometimes } }"));

        Assert.Contains("litellm_settings.cache_params.mode", error.Message, StringComparison.Ordinal);
    }
}

using System.Text;
using EdgeGw.Observability;

namespace EdgeGw.Cache;

/// <summary>The response cache's lines in /metrics: LiteLLM's hit and miss counters, then EdgeGw's bytes and store state.</summary>
internal static class CacheMetricsExposition
{
    public static void Write(StringBuilder text, ResponseCache? cache)
    {
        if (cache is null)
            return;
        var m = cache.Metrics;
        MetricsExposition.Counter(text, "litellm_cache_hits_metric_total", "Requests answered from the response cache.", m.Hits);
        MetricsExposition.Counter(text, "litellm_cache_misses_metric_total", "Cache lookups that found no usable entry (the request went to its provider).", m.Misses);
        MetricsExposition.Counter(text, "edgegw_cache_hit_bytes_total", "Response bytes answered from the cache.", m.HitBytes);
        MetricsExposition.Counter(text, "edgegw_cache_stores_total", "Answers stored in the cache.", m.Stores);
        MetricsExposition.Counter(text, "edgegw_cache_redis_errors_total", "Cache reads and writes to Redis that failed or timed out (served without the cache).", m.RedisErrors);
        if (cache.Local is { } local)
        {
            MetricsExposition.Gauge(text, "edgegw_cache_entries", "Entries in the local response cache.", local.Count);
            MetricsExposition.Gauge(text, "edgegw_cache_bytes", "Bytes held by the local response cache.", local.Bytes);
        }
    }
}

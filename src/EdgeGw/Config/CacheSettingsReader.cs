using YamlDotNet.RepresentationModel;

namespace EdgeGw.Config;

/// <summary>
/// LiteLLM's <c>litellm_settings.cache</c> and <c>cache_params</c>. As on LiteLLM's proxy, a missing
/// <c>type</c> means Redis (the one <see cref="RedisSettingsReader"/> found, e.g. from <c>REDIS_HOST</c>);
/// without one, the local store. <c>supported_call_types: []</c> caches nothing (Redis for limits only).
/// </summary>
internal static class CacheSettingsReader
{
    private const string Path = "litellm_settings.cache_params";

    public static CacheSettings? Read(YamlValues values, YamlMappingNode? litellm, RedisSettings? redis)
    {
        if (values.String(YamlValues.Child(litellm, "cache"), "litellm_settings.cache") is not { } on || Yaml11.Bool(on) == false)
            return null;
        var map = YamlValues.Mapping(YamlValues.Child(litellm, "cache_params"), Path);
        var callTypes = CallTypes(values, YamlValues.Child(map, "supported_call_types"));
        if (callTypes == CacheCallTypes.None)
            return null;
        var settings = new CacheSettings
        {
            Type = Type(values, values.String(YamlValues.Child(map, "type"), $"{Path}.type"), redis),
            Ttl = values.Seconds(YamlValues.Child(map, "ttl"), $"{Path}.ttl"),
            Namespace = values.String(YamlValues.Child(map, "namespace"), $"{Path}.namespace"),
            DefaultOff = Mode(values.String(YamlValues.Child(map, "mode"), $"{Path}.mode")),
            CallTypes = callTypes,
        };
        if (values.Int(YamlValues.Child(map, "max_size_in_memory"), $"{Path}.max_size_in_memory") is { } entries)
            settings = settings with { MaxEntries = Positive(entries, "max_size_in_memory") };
        if (values.Int(YamlValues.Child(map, "max_memory_mb"), $"{Path}.max_memory_mb") is { } mb)
            settings = settings with { MaxBytes = Positive(mb, "max_memory_mb") * 1024L * 1024 };
        if (values.Int(YamlValues.Child(map, "max_size_per_item"), $"{Path}.max_size_per_item") is { } kb)
            settings = settings with { MaxEntryBytes = Positive(kb, "max_size_per_item") * 1024 };
        return settings;
    }

    private static CacheType Type(YamlValues values, string? type, RedisSettings? redis)
    {
        switch (type)
        {
            case "local":
                return CacheType.Local;
            case "redis" or null when redis is not null:
                return CacheType.Redis;
            case null:
                return CacheType.Local;
            default:
                values.Warn($"{Path}.type: '{type}' is not supported by EdgeGw (local and redis are); answers are cached in memory (local)");
                return CacheType.Local;
        }
    }

    private static bool Mode(string? mode) => mode switch
    {
        null or "default_on" => false,
        "default_off" => true,
        _ => throw new ConfigException($"{Path}.mode", $"expected default_on or default_off, got '{mode}'"),
    };

    private static CacheCallTypes CallTypes(YamlValues values, YamlNode? node)
    {
        if (YamlValues.IsNull(node))
            return CacheCallTypes.All;
        var list = YamlValues.Sequence(node, $"{Path}.supported_call_types");
        var types = CacheCallTypes.None;
        foreach (var name in list?.Children.OfType<YamlScalarNode>().Select(n => n.Value) ?? [])
        {
            types |= name switch
            {
                "completion" or "acompletion" => CacheCallTypes.Completion,
                "embedding" or "aembedding" => CacheCallTypes.Embedding,
                "anthropic_messages" or "aanthropic_messages" => CacheCallTypes.Messages,
                "responses" or "aresponses" => CacheCallTypes.Responses,
                "text_completion" or "atext_completion" => CacheCallTypes.TextCompletion,
                _ => CacheCallTypes.None, // transcription, rerank, …: EdgeGw has no such endpoint
            };
        }
        return types;
    }

    private static int Positive(int value, string key) =>
        value > 0 ? value : throw new ConfigException($"{Path}.{key}", $"must be positive, got {value}");
}

using System.Collections.Immutable;
using YamlDotNet.RepresentationModel;

namespace EdgeGw.Config;

/// <summary>
/// Reads which callbacks a config lists and <c>callback_settings.&lt;name&gt;</c> for them. As on
/// LiteLLM, <c>success_callback</c> sends successes, <c>failure_callback</c> failures and
/// <c>callbacks</c> both; a name is a generic_api webhook when its settings say
/// <c>callback_type: generic_api</c>, or when it is <c>generic_api</c> itself
/// (<c>GENERIC_LOGGER_ENDPOINT</c> / <c>GENERIC_LOGGER_HEADERS</c>).
/// </summary>
internal static class CallbackSettingsReader
{
    public const string GenericApiType = "generic_api";

    public static CallbackSettings? Read(YamlValues values, YamlMappingNode? litellm, YamlMappingNode? callbackSettings)
    {
        var success = Names(values, litellm, "success_callback");
        var failure = Names(values, litellm, "failure_callback");
        var both = Names(values, litellm, "callbacks");
        var generic = ImmutableArray.CreateBuilder<GenericApiCallback>();
        LangfuseCallback? langfuse = null;
        var disabled = ImmutableArray.CreateBuilder<string>();
        foreach (var name in both.Concat(success).Concat(failure).Distinct(StringComparer.Ordinal))
        {
            var path = $"callback_settings.{name}";
            var map = YamlValues.Mapping(YamlValues.Child(callbackSettings, name), path);
            var type = values.String(YamlValues.Child(map, "callback_type"), $"{path}.callback_type");
            var isGeneric = type is not null ? type == GenericApiType : name == GenericApiType;
            var onSuccess = both.Contains(name) || success.Contains(name);
            var onFailure = both.Contains(name) || failure.Contains(name);
            if (!isGeneric && name == LangfuseSettingsReader.Name)
            {
                langfuse = LangfuseSettingsReader.Read(values, onSuccess, onFailure);
                if (langfuse is null)
                    disabled.Add(name);
            }
            if (!isGeneric)
                continue;
            EventTypes(values, YamlValues.Child(map, "event_types"), $"{path}.event_types", ref onSuccess, ref onFailure);
            generic.Add(new GenericApiCallback(
                name,
                Endpoint(values, map, path),
                Headers(values, map, path),
                onSuccess,
                onFailure,
                Format(values.String(YamlValues.Child(map, "log_format"), $"{path}.log_format"), $"{path}.log_format"))
            {
                BatchSize = Positive(values.Int(YamlValues.Child(map, "batch_size"), $"{path}.batch_size") ?? EnvInt(values, "DEFAULT_BATCH_SIZE"), $"{path}.batch_size"),
                FlushInterval = values.Seconds(YamlValues.Child(map, "flush_interval"), $"{path}.flush_interval")
                    ?? (EnvInt(values, "DEFAULT_FLUSH_INTERVAL_SECONDS") is { } s ? TimeSpan.FromSeconds(s) : null),
            });
        }
        var turnOff = values.Bool(YamlValues.Child(litellm, "turn_off_message_logging"), "litellm_settings.turn_off_message_logging") ?? false;
        var redactErrors = values.Bool(YamlValues.Child(litellm, "redact_messages_in_exceptions"), "litellm_settings.redact_messages_in_exceptions") ?? false;
        return generic.Count == 0 && langfuse is null && disabled.Count == 0 ? null : new CallbackSettings
        {
            GenericApi = generic.ToImmutable(),
            Langfuse = langfuse,
            Disabled = disabled.ToImmutable(),
            TurnOffMessageLogging = turnOff,
            RedactMessagesInExceptions = redactErrors,
            QueueCapacity = Positive(EnvInt(values, "MAX_SIZE_IN_MEMORY_QUEUE"), "MAX_SIZE_IN_MEMORY_QUEUE"),
        };
    }

    /// <summary>The names listed under <c>litellm_settings.&lt;key&gt;</c>; a non-name entry (a custom class) reads as "custom".</summary>
    public static List<string> Names(YamlValues values, YamlMappingNode? litellm, string key)
    {
        var node = YamlValues.Child(litellm, key);
        if (YamlValues.IsNull(node))
            return [];
        if (node is YamlScalarNode scalar)
            return values.String(scalar, $"litellm_settings.{key}") is { Length: > 0 } one ? [one] : [];
        return node is YamlSequenceNode list
            ? [.. list.Children.OfType<YamlScalarNode>().Select(n => n.Value ?? "").Where(n => n.Length > 0)]
            : ["custom"];
    }

    private static Uri Endpoint(YamlValues values, YamlMappingNode? map, string path)
    {
        var text = values.String(YamlValues.Child(map, "endpoint"), $"{path}.endpoint") ?? values.Environment("GENERIC_LOGGER_ENDPOINT")
            ?? throw new ConfigException($"{path}.endpoint", "required for a generic_api callback (or set GENERIC_LOGGER_ENDPOINT)");
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            throw new ConfigException($"{path}.endpoint", "expected an http:// or https:// URL");
        return uri;
    }

    private static ImmutableArray<KeyValuePair<string, string>> Headers(YamlValues values, YamlMappingNode? map, string path)
    {
        var headers = ImmutableArray.CreateBuilder<KeyValuePair<string, string>>();
        if (YamlValues.Mapping(YamlValues.Child(map, "headers"), $"{path}.headers") is { } given)
        {
            foreach (var (k, v) in given.Children)
            {
                var name = (k as YamlScalarNode)?.Value ?? "";
                if (values.String(v, $"{path}.headers.{name}") is { } value && name.Length > 0)
                    headers.Add(new(name, value));
            }
            return headers.ToImmutable();
        }
        // LiteLLM's env form: "Name=value,Other=value".
        foreach (var pair in (values.Environment("GENERIC_LOGGER_HEADERS") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0)
                headers.Add(new(pair[..eq].Trim(), pair[(eq + 1)..].Trim()));
        }
        return headers.ToImmutable();
    }

    private static void EventTypes(YamlValues values, YamlNode? node, string path, ref bool onSuccess, ref bool onFailure)
    {
        if (YamlValues.IsNull(node))
            return;
        var listed = YamlValues.Sequence(node, path)?.Children.Select(n => values.String(n, path)).ToList() ?? [];
        foreach (var type in listed)
        {
            if (type is not ("llm_api_success" or "llm_api_failure"))
                throw new ConfigException(path, $"unknown event type '{type}': expected llm_api_success or llm_api_failure");
        }
        onSuccess &= listed.Contains("llm_api_success");
        onFailure &= listed.Contains("llm_api_failure");
    }

    private static int? EnvInt(YamlValues values, string name) =>
        values.Environment(name) is { } text && int.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : null;

    private static int? Positive(int? value, string path) =>
        value is <= 0 ? throw new ConfigException(path, "expected a positive whole number") : value;

    private static GenericLogFormat Format(string? text, string path) => text switch
    {
        null or "json_array" => GenericLogFormat.JsonArray,
        "ndjson" => GenericLogFormat.Ndjson,
        "single" => GenericLogFormat.Single,
        _ => throw new ConfigException(path, $"unknown log_format '{text}': expected json_array, ndjson or single"),
    };
}

using System.Collections.Immutable;
using YamlDotNet.RepresentationModel;

namespace EdgeGw.Config;

/// <summary>LiteLLM features a config (or the environment) asks for that EdgeGw does not have yet.</summary>
internal enum DeferredFeatureKind
{
    Callbacks,
}

/// <summary>One of them, with what asked for it; <see cref="Describe"/> says what EdgeGw does instead.</summary>
internal sealed record DeferredFeature(DeferredFeatureKind Kind, string Source, string Detail = "")
{
    public string Describe() =>
        $"{Source} ({Detail}) are not sent yet: each request is in the spend log (/spend/logs), the request log line and /metrics";
}

/// <summary>Finds the <see cref="DeferredFeature"/>s a config asks for; their keys then need no generic "not acted on" mention.</summary>
internal static class DeferredFeatures
{
    /// <summary>Callbacks EdgeGw already covers: its /metrics endpoint is always on.</summary>
    private static readonly string[] Covered = ["prometheus", "otel"];

    private static readonly string[] CallbackKeys = ["success_callback", "failure_callback", "callbacks"];

    /// <summary>Whether any of litellm_settings' callback lists names <paramref name="callback"/>.</summary>
    public static bool Lists(YamlValues values, YamlMappingNode? litellm, string callback) =>
        CallbackKeys.Any(key => CallbackSettingsReader.Names(values, litellm, key).Contains(callback, StringComparer.OrdinalIgnoreCase));

    public static ImmutableArray<DeferredFeature> Find(YamlValues values, YamlMappingNode? general, YamlMappingNode? litellm, YamlMappingNode? router,
        CallbackSettings? callbacks, out ImmutableArray<string> keys)
    {
        var found = ImmutableArray.CreateBuilder<DeferredFeature>();
        var handled = ImmutableArray.CreateBuilder<string>();
        // Read by CallbackSettingsReader.
        handled.Add("litellm_settings.turn_off_message_logging");
        handled.Add("litellm_settings.redact_messages_in_exceptions");
        // Read by CacheSettingsReader.
        handled.Add("litellm_settings.cache");
        handled.Add("litellm_settings.cache_params");

        var callbackKeys = new List<string>();
        var names = new List<string>();
        foreach (var key in CallbackKeys)
        {
            handled.Add($"litellm_settings.{key}");
            var listed = CallbackSettingsReader.Names(values, litellm, key);
            var missing = listed.Where(n => !Covered.Contains(n, StringComparer.OrdinalIgnoreCase) && callbacks?.Names.Contains(n) != true).ToList();
            if (missing.Count == 0)
                continue;
            callbackKeys.Add(key);
            names.AddRange(missing.Where(n => !names.Contains(n)));
        }
        if (callbackKeys.Count > 0)
            found.Add(new(DeferredFeatureKind.Callbacks, $"litellm_settings.{string.Join('/', callbackKeys)}", string.Join(", ", names)));

        // Read by RedisSettingsReader: shared limits and router state.
        handled.AddRange(RedisSettingsReader.RouterKeys.Select(k => $"router_settings.{k}"));
        handled.AddRange(RedisSettingsReader.GeneralKeys.Select(k => $"general_settings.{k}"));
        handled.AddRange(RedisLimitSettingsReader.RouterKeys.Select(k => $"router_settings.{k}"));

        keys = handled.ToImmutable();
        return found.ToImmutable();
    }
}

using System.Runtime.CompilerServices;
using System.Text.Json;
using EdgeGw.Auth;

namespace EdgeGw.Observability.Callbacks;

/// <summary>
/// What a key's or team's <c>metadata</c> says about message logging, as LiteLLM reads it
/// (proxy/litellm_pre_call_utils.py): <c>logging: [{callback_name, callback_type, callback_vars:
/// {turn_off_message_logging}}]</c> and <c>allow_client_message_redaction_opt_out: true</c>. Parsed
/// once per settings record (records are swapped on update, so the cache never goes stale).
/// </summary>
internal sealed class KeyLoggingSettings
{
    private static readonly KeyLoggingSettings None = new();
    private static readonly ConditionalWeakTable<AccountSettings, KeyLoggingSettings> Parsed = [];

    /// <summary>The metadata has a <c>logging</c> list: LiteLLM then ignores the team's.</summary>
    public bool HasLogging { get; private init; }

    /// <summary><c>callback_vars.turn_off_message_logging</c> of any listed callback; null: not set.</summary>
    public bool? TurnOffMessageLogging { get; private init; }

    /// <summary>The client may send <c>litellm-disable-message-redaction</c> and be heard.</summary>
    public bool AllowsRedactionOptOut { get; private init; }

    public static KeyLoggingSettings Of(AccountSettings? settings)
    {
        // Most metadata names neither: no parse, no table entry.
        if (settings is null || (!settings.MetadataJson.Contains("logging", StringComparison.Ordinal)
            && !settings.MetadataJson.Contains("allow_client_message_redaction_opt_out", StringComparison.Ordinal)))
            return None;
        return Parsed.GetValue(settings, static s => Parse(s.MetadataJson));
    }

    private static KeyLoggingSettings Parse(string metadata)
    {
        try
        {
            using var doc = JsonDocument.Parse(metadata);
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                return None;
            var root = doc.RootElement;
            var allows = root.TryGetProperty("allow_client_message_redaction_opt_out", out var allow) && allow.ValueKind == JsonValueKind.True;
            if (!root.TryGetProperty("logging", out var logging) || logging.ValueKind != JsonValueKind.Array)
                return new KeyLoggingSettings { AllowsRedactionOptOut = allows };
            bool? turnOff = null;
            foreach (var callback in logging.EnumerateArray())
            {
                if (callback.ValueKind == JsonValueKind.Object && callback.TryGetProperty("callback_vars", out var vars)
                    && vars.ValueKind == JsonValueKind.Object && vars.TryGetProperty("turn_off_message_logging", out var value))
                    turnOff = Bool(value) ?? turnOff;
            }
            return new KeyLoggingSettings { HasLogging = true, TurnOffMessageLogging = turnOff, AllowsRedactionOptOut = allows };
        }
        catch (JsonException)
        {
            return None;
        }
    }

    // LiteLLM keeps callback_vars as strings (str(True) == "True") and reads them with str_to_bool.
    private static bool? Bool(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.String when string.Equals(value.GetString(), "true", StringComparison.OrdinalIgnoreCase) => true,
        JsonValueKind.String when string.Equals(value.GetString(), "false", StringComparison.OrdinalIgnoreCase) => false,
        _ => null,
    };
}

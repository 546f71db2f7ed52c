using EdgeGw.Auth;
using EdgeGw.Config;

namespace EdgeGw.Observability.Callbacks;

/// <summary>
/// Whether a request's prompt and answer are left out of the callbacks, in LiteLLM's order
/// (litellm_core_utils/redact_messages.py <c>should_redact_message_logging</c>):
/// <code>
///   litellm-disable-message-redaction header (only for a key or team with allow_client_message_redaction_opt_out) → logged
///   → the key's metadata.logging callback_vars.turn_off_message_logging (else the team's), either way
///   → x-litellm-enable-message-redaction / litellm-enable-message-redaction header → redacted
///   → litellm_settings.turn_off_message_logging
/// </code>
/// </summary>
internal static class MessageRedaction
{
    public static bool IsRedacted(CallbackSettings settings, Caller caller, Accounts accounts, IHeaderDictionary headers)
    {
        var key = caller.Key?.Settings;
        var keyLogging = KeyLoggingSettings.Of(key);
        var teamLogging = KeyLoggingSettings.Of(key is null ? null : accounts.TeamOf(key)?.Settings);
        // LiteLLM strips this header from every other request: a client alone cannot undo the admin's redaction.
        if ((keyLogging.AllowsRedactionOptOut || teamLogging.AllowsRedactionOptOut) && IsSet(headers["litellm-disable-message-redaction"]))
            return false;
        if ((keyLogging.HasLogging ? keyLogging.TurnOffMessageLogging : teamLogging.TurnOffMessageLogging) is { } dynamic)
            return dynamic;
        if (IsSet(headers["x-litellm-enable-message-redaction"]) || IsSet(headers["litellm-enable-message-redaction"]))
            return true;
        return settings.TurnOffMessageLogging;
    }

    // LiteLLM tests the header's truthiness; an explicit "false" reads as unset here rather than as on.
    private static bool IsSet(Microsoft.Extensions.Primitives.StringValues value) =>
        value.Count > 0 && value[0] is { Length: > 0 } text
        && !text.Equals("false", StringComparison.OrdinalIgnoreCase) && text != "0";
}

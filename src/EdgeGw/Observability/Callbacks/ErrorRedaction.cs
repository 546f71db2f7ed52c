using EdgeGw.Api;

namespace EdgeGw.Observability.Callbacks;

/// <summary>
/// <c>litellm_settings.redact_messages_in_exceptions</c>: a provider's error text can quote the request
/// (a refused message, an invalid tool argument), so callbacks get the status and class only.
/// </summary>
internal static class ErrorRedaction
{
    public const string Note = " (message redacted: litellm_settings.redact_messages_in_exceptions)";

    public static GatewayError Redact(GatewayError error) =>
        error with { Message = StatusLabels.ExceptionClass(StatusLabels.SlotOf(error.Status)) + ": status " + error.Status.ToString(System.Globalization.CultureInfo.InvariantCulture) + Note };
}

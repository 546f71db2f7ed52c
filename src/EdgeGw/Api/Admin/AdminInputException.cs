namespace EdgeGw.Api.Admin;

/// <summary>An admin request field is missing or invalid: answered as 400 naming the field.</summary>
internal sealed class AdminInputException(string field, string message, int status = 400) : Exception(message)
{
    public string Field { get; } = field;
    public int Status { get; } = status;

    // A 403 is a refused caller, typed as the dispatcher's admin-only refusal (LiteLLM's auth_error).
    public GatewayError ToError() => new(Status, Message, Status switch { 404 => "not_found_error", 403 => "auth_error", _ => "invalid_request_error" },
        Status.ToString(System.Globalization.CultureInfo.InvariantCulture), Field);

    public static AdminInputException NotFound(string field, string message) => new(field, message, 404);
}

namespace EdgeGw.Api.Admin;

/// <summary>An admin request field is missing or invalid: answered as 400 naming the field.</summary>
internal sealed class AdminInputException(string field, string message, int status = 400, string? type = null) : Exception(message)
{
    public string Field { get; } = field;
    public int Status { get; } = status;

    public GatewayError ToError() => new(Status, Message, type ?? (Status == 404 ? "not_found_error" : "invalid_request_error"),
        Status.ToString(System.Globalization.CultureInfo.InvariantCulture), Field);

    public static AdminInputException NotFound(string field, string message) => new(field, message, 404);
}

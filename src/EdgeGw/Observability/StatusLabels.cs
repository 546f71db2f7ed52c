namespace EdgeGw.Observability;

/// <summary>
/// The HTTP statuses a series counts separately (<c>status_code</c>, <c>exception_status</c>) and
/// the LiteLLM exception class each one maps to. Other statuses count under their class' first
/// entry (2xx/3xx as 200, 4xx as 400, 5xx as 500), so a series has a fixed set of counters.
/// </summary>
internal static class StatusLabels
{
    public static readonly int[] Codes = [200, 400, 401, 403, 404, 408, 413, 422, 429, 500, 502, 503, 504];

    public static readonly string[] Text = [.. Codes.Select(c => c.ToString(System.Globalization.CultureInfo.InvariantCulture))];

    public static int SlotOf(int status)
    {
        var i = Array.IndexOf(Codes, status);
        if (i >= 0)
            return i;
        return status < 400 ? 0 : status < 500 ? 1 : 9;
    }

    public static bool IsFailure(int slot) => slot != 0;

    /// <summary>LiteLLM's exception class for a status (litellm.exceptions), as its metrics label it.</summary>
    public static string ExceptionClass(int slot) => Codes[slot] switch
    {
        400 or 413 => "BadRequestError",
        401 => "AuthenticationError",
        403 => "PermissionDeniedError",
        404 => "NotFoundError",
        408 or 504 => "Timeout",
        422 => "UnprocessableEntityError",
        429 => "RateLimitError",
        502 => "APIConnectionError",
        503 => "ServiceUnavailableError",
        _ => "InternalServerError",
    };
}

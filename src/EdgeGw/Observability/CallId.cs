namespace EdgeGw.Observability;

/// <summary>
/// <c>x-litellm-call-id</c>: a client's own id is reused (logs, spend rows and the response header
/// then carry the id the client already knows) when it is a plausible id — 1 to 128 characters of
/// letters, digits and <c>-_.:</c>; anything else is replaced by a fresh one. It is a correlation id,
/// not a key: requests sharing one each keep their own spend row.
/// </summary>
internal static class CallId
{
    public const string Header = "x-litellm-call-id";
    private const int MaxLength = 128;

    public static string? FromClient(HttpRequest request)
    {
        var values = request.Headers[Header];
        if (values.Count != 1 || values[0] is not { Length: > 0 and <= MaxLength } id)
            return null;
        foreach (var c in id)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':'))
                return null;
        }
        return id;
    }
}

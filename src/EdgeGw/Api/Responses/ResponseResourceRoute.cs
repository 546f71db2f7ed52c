namespace EdgeGw.Api.Responses;

/// <summary>
/// The paths with a response id in them, which the dispatcher's exact-path table cannot hold:
/// <c>/v1/responses/{id}</c>, <c>…/{id}/input_items</c>, <c>…/{id}/cancel</c> (and without <c>/v1</c>).
/// </summary>
internal static class ResponseResourceRoute
{
    public enum Kind : byte { None, Response, InputItems, Cancel }

    private const string V1Prefix = "/v1/responses/";
    private const string Prefix = "/responses/";

    /// <summary>An id for the route lists (tests cover every route through it).</summary>
    public const string ExampleId = "resp_example";

    public static Kind Match(string path) => Split(path).Kind;

    public static string? IdOf(string path) => Split(path).Id;

    private static (Kind Kind, string? Id) Split(string path)
    {
        var rest = path.StartsWith(V1Prefix, StringComparison.Ordinal) ? path.AsSpan(V1Prefix.Length)
            : path.StartsWith(Prefix, StringComparison.Ordinal) ? path.AsSpan(Prefix.Length)
            : default;
        if (rest.IsEmpty)
            return (Kind.None, null);
        var slash = rest.IndexOf('/');
        if (slash < 0)
            return (Kind.Response, rest.ToString());
        var kind = rest[(slash + 1)..] switch
        {
            "input_items" => Kind.InputItems,
            "cancel" => Kind.Cancel,
            _ => Kind.None,
        };
        return slash == 0 || kind == Kind.None ? (Kind.None, null) : (kind, rest[..slash].ToString());
    }
}

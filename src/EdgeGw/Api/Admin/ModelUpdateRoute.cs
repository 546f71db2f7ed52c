namespace EdgeGw.Api.Admin;

/// <summary>LiteLLM's <c>PATCH /model/{model_id}/update</c>: the one model route with the id in its path.</summary>
internal static class ModelUpdateRoute
{
    private const string Prefix = "/model/";
    private const string Suffix = "/update";

    /// <summary>An id for the route lists (tests cover every route through it).</summary>
    public const string ExampleId = "model_example";

    public static bool Matches(string path) => IdOf(path) is not null;

    /// <summary>The id between <c>/model/</c> and <c>/update</c>; null for any other path (<c>/model/update</c> itself included).</summary>
    public static string? IdOf(string path)
    {
        path = path.TrimEnd('/');
        if (!path.StartsWith(Prefix, StringComparison.Ordinal) || !path.EndsWith(Suffix, StringComparison.Ordinal)
            || path.Length <= Prefix.Length + Suffix.Length)
            return null;
        var id = path[Prefix.Length..^Suffix.Length];
        return id.Contains('/', StringComparison.Ordinal) ? null : id;
    }
}

namespace EdgeGw.Api.Admin;

/// <summary>
/// The <c>/credentials</c> paths: the collection, <c>/credentials/by_name/NAME</c>, <c>/credentials/by_model/ID</c>
/// and <c>/credentials/NAME</c> (a name may hold slashes, as LiteLLM's <c>{credential_name:path}</c>).
/// </summary>
internal static class CredentialRoute
{
    public enum Kind : byte { None, Collection, ByName, ByModel, Item }

    public const string Collection = "/credentials";
    private const string Prefix = "/credentials/";
    private const string ByNamePrefix = "/credentials/by_name/";
    private const string ByModelPrefix = "/credentials/by_model/";

    /// <summary>A name for the route lists (tests cover every route through it).</summary>
    public const string ExampleName = "cred_example";

    public static Kind Match(string path) =>
        path == Collection ? Kind.Collection
        : !path.StartsWith(Prefix, StringComparison.Ordinal) || path.Length == Prefix.Length ? Kind.None
        : path.StartsWith(ByNamePrefix, StringComparison.Ordinal) ? (path.Length > ByNamePrefix.Length ? Kind.ByName : Kind.None)
        : path.StartsWith(ByModelPrefix, StringComparison.Ordinal) ? (path.Length > ByModelPrefix.Length ? Kind.ByModel : Kind.None)
        : Kind.Item;

    /// <summary>The name (or model id) in the path; Kestrel leaves an encoded slash encoded, LiteLLM's path parameter decodes it.</summary>
    public static string NameOf(string path)
    {
        var rest = Match(path) switch
        {
            Kind.ByName => path[ByNamePrefix.Length..],
            Kind.ByModel => path[ByModelPrefix.Length..],
            _ => path[Prefix.Length..],
        };
        return rest.Replace("%2F", "/", StringComparison.OrdinalIgnoreCase);
    }
}

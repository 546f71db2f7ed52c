using System.Collections.Frozen;

namespace EdgeGw.Providers.Vertex;

/// <summary>LiteLLM's Vertex AI <c>litellm_params</c>, read from <see cref="Config.Deployment.OtherParams"/>.</summary>
internal static class VertexParams
{
    /// <summary>Service-account JSON: inline (a string or a YAML mapping, kept as JSON), a file path, or <c>os.environ/…</c>.</summary>
    public const string Credentials = "vertex_credentials";
    public const string Project = "vertex_project";
    public const string Location = "vertex_location";
    // LiteLLM's older spellings, read when the names above are absent (litellm/main.py).
    public const string CredentialsAlias = "vertex_ai_credentials";
    public const string ProjectAlias = "vertex_ai_project";
    public const string LocationAlias = "vertex_ai_location";

    public static readonly FrozenSet<string> Names = FrozenSet.Create(StringComparer.Ordinal,
        Credentials, Project, Location, CredentialsAlias, ProjectAlias, LocationAlias);
}

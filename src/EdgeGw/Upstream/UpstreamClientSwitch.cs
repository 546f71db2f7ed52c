namespace EdgeGw.Upstream;

/// <summary>
/// <c>EDGEGW_UPSTREAM_CLIENT=httpclient</c> sends every upstream call through HttpClient, as before the
/// Pipelines client: a way back if an upstream misbehaves with it, and how CI proves both paths pass
/// the same provider tests. Read once at start.
/// </summary>
internal static class UpstreamClientSwitch
{
    public const string Variable = "EDGEGW_UPSTREAM_CLIENT";

    public static readonly bool HttpClientOnly =
        string.Equals(Environment.GetEnvironmentVariable(Variable), "httpclient", StringComparison.OrdinalIgnoreCase);
}

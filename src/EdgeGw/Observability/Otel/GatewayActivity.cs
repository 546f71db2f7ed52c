using System.Diagnostics;

namespace EdgeGw.Observability.Otel;

/// <summary>The gateway's one ActivitySource: with no listener (otel off) StartActivity returns null and costs nothing.</summary>
internal static class GatewayActivity
{
    public const string SourceName = "EdgeGw";

    public static readonly ActivitySource Source = new(SourceName, GatewayInfo.Version);
}

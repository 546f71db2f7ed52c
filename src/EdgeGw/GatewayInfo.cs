using System.Reflection;

namespace EdgeGw;

internal static class GatewayInfo
{
    public static readonly string Version =
        typeof(GatewayInfo).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";
}

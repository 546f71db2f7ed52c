namespace EdgeGw.Api;

/// <summary>Public probes for orchestrators, in LiteLLM's shapes.</summary>
internal static class HealthEndpoints
{
    public static Task LivenessAsync(HttpContext context, GatewayState state) =>
        WriteJsonAsync(context, "\"I'm alive!\""u8.ToArray());

    public static Task ReadinessAsync(HttpContext context, GatewayState state) =>
        WriteJsonAsync(context, state.Data.Store.IsOpen ? ReadyConnected : ReadyNotConnected);

    private static readonly byte[] ReadyConnected = Readiness("connected");
    private static readonly byte[] ReadyNotConnected = Readiness("Not connected");

    private static byte[] Readiness(string db) =>
        System.Text.Encoding.UTF8.GetBytes($"{{\"status\":\"healthy\",\"db\":\"{db}\",\"litellm_version\":\"edgegw-{GatewayInfo.Version}\"}}");

    private static Task WriteJsonAsync(HttpContext context, byte[] body)
    {
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = body.Length;
        return context.Response.Body.WriteAsync(body).AsTask();
    }
}

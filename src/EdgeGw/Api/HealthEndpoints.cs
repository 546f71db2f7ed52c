namespace EdgeGw.Api;

/// <summary>Public probes for orchestrators, in LiteLLM's shapes.</summary>
internal static class HealthEndpoints
{
    public static Task LivenessAsync(HttpContext context, GatewayState state) =>
        WriteJsonAsync(context, "\"I'm alive!\""u8.ToArray());

    public static Task ReadinessAsync(HttpContext context, GatewayState state) =>
        WriteJsonAsync(context, ReadinessBody);

    private static readonly byte[] ReadinessBody =
        System.Text.Encoding.UTF8.GetBytes($"{{\"status\":\"healthy\",\"db\":\"Not connected\",\"litellm_version\":\"edgegw-{GatewayInfo.Version}\"}}");

    private static Task WriteJsonAsync(HttpContext context, byte[] body)
    {
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = body.Length;
        return context.Response.Body.WriteAsync(body).AsTask();
    }
}

using EdgeGw.Api;

namespace EdgeGw.Observability;

/// <summary>
/// <c>GET /metrics</c>. Master key only (it shows every tenant's spend), unless
/// <c>litellm_settings.require_auth_for_metrics_endpoint: false</c> opens it to anyone.
/// </summary>
internal static class MetricsEndpoint
{
    public static async Task HandleAsync(HttpContext context, GatewayState state)
    {
        if (state.Config.Litellm.RequireAuthForMetrics
            && (state.Authenticator.Authenticate(context, out var caller) ?? (caller.IsMaster ? null : Auth.KeyErrors.AdminOnly)) is { } error)
        {
            await ErrorWriter.WriteOpenAiAsync(context, error);
            return;
        }
        var runtime = context.RequestServices.GetRequiredService<GatewayRuntime>();
        var body = System.Text.Encoding.UTF8.GetBytes(MetricsExposition.Write(runtime.Telemetry.Metrics));
        context.Response.ContentType = MetricsExposition.ContentType;
        context.Response.ContentLength = body.Length;
        await context.Response.Body.WriteAsync(body);
    }
}

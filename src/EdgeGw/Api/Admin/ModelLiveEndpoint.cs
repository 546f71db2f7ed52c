using System.Text.Json;

namespace EdgeGw.Api.Admin;

/// <summary>
/// <c>GET /model/live</c> (EdgeGw's own: LiteLLM exposes no per-deployment router state): what this replica's
/// router knows of each deployment right now —
/// <c>{"data": [{model_name, model_id, litellm_provider, in_flight, cooldown_until, cooldown_reason,
/// cooldown_status, healthy, avg_latency_seconds}]}</c>. <c>healthy</c> means not cooling down (the router
/// sends it requests); <c>/health</c> is the active check. Cooldowns other replicas started (with Redis)
/// show with status null.
/// </summary>
internal static class ModelLiveEndpoint
{
    public static Task HandleAsync(HttpContext context, GatewayState state)
    {
        var now = state.Time.GetUtcNow().UtcTicks;
        return AdminOutput.WriteAsync(context, json =>
        {
            json.WriteStartObject();
            json.WriteStartArray("data");
            foreach (var group in state.Models.Groups.Where(g => !g.IsAlias))
            {
                foreach (var endpoint in group.Endpoints)
                    Write(json, group.Name, endpoint, now);
            }
            json.WriteEndArray();
            json.WriteEndObject();
        });
    }

    private static void Write(Utf8JsonWriter json, string modelName, Providers.ChatEndpoint endpoint, long now)
    {
        var health = endpoint.Health;
        var until = health.CoolingUntil;
        var cooling = until > now;
        var status = health.CoolingStatus;
        json.WriteStartObject();
        json.WriteString("model_name", modelName);
        json.WriteString("model_id", endpoint.Deployment.Id);
        json.WriteString("litellm_provider", endpoint.Deployment.Provider);
        json.WriteNumber("in_flight", Math.Max(0, health.InFlight));
        AdminOutput.Time(json, "cooldown_until", cooling ? new DateTimeOffset(until, TimeSpan.Zero) : null);
        json.WriteString("cooldown_reason", cooling ? Reason(status) : null);
        if (cooling && status != 0)
            json.WriteNumber("cooldown_status", status);
        else
            json.WriteNull("cooldown_status");
        json.WriteBoolean("healthy", !cooling);
        json.WriteNumber("avg_latency_seconds", Math.Round(health.Latency, 6));
        json.WriteEndObject();
    }

    /// <summary>Why the router parked it, in the terms of LiteLLM's cooldown rule.</summary>
    private static string Reason(int status) => status switch
    {
        0 => "cooled down by another replica",
        429 => "rate limited by the provider (429)",
        401 => "authentication failed (401)",
        404 => "model not found at the provider (404)",
        408 => "timed out (408)",
        _ => $"failing requests ({status})",
    };
}

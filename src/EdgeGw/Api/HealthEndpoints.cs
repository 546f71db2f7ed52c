namespace EdgeGw.Api;

/// <summary>Public probes for orchestrators, in LiteLLM's shapes.</summary>
internal static class HealthEndpoints
{
    public static Task LivenessAsync(HttpContext context, GatewayState state) =>
        WriteJsonAsync(context, "\"I'm alive!\""u8.ToArray());

    /// <summary>
    /// A database that refuses writes (disk full) is reported as <c>"db":"unavailable"</c> with the
    /// rows waiting in memory, and with 503 (LiteLLM's readiness status for a failing database) unless
    /// <c>allow_requests_on_db_unavailable</c> keeps this replica serving.
    /// </summary>
    public static Task ReadinessAsync(HttpContext context, GatewayState state)
    {
        var writer = state.Data.Writer;
        if (!writer.Failing)
            return WriteJsonAsync(context, state.Data.IsOpen ? ReadyConnected : ReadyNotConnected);
        var serving = state.Config.General.AllowRequestsOnDbUnavailable;
        if (!serving)
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        return WriteJsonAsync(context, System.Text.Encoding.UTF8.GetBytes(
            $"{{\"status\":\"{(serving ? "healthy" : "unhealthy")}\",\"db\":\"unavailable\",\"spend_rows_queued\":{writer.QueuedRows}," +
            $"\"litellm_version\":\"edgegw-{GatewayInfo.Version}\"}}"));
    }

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

namespace EdgeGw.Api;

/// <summary>
/// A failure on its way to the caller. Carried as a value through the request path and turned
/// into the OpenAI (or Anthropic) envelope in one place, <see cref="ErrorWriter"/>.
/// </summary>
internal sealed record GatewayError(int Status, string Message, string Type, string? Code = null, string? Param = null)
{
    /// <summary>Seconds the caller should wait, sent as <c>Retry-After</c>.</summary>
    public int? RetryAfterSeconds { get; init; }

    // LiteLLM's auth failures carry type "auth_error" and the status as code; clients key on both.
    public static readonly GatewayError MissingKey = new(401,
        "Authentication Error: no API key passed. Send it as 'Authorization: Bearer sk-...', 'x-api-key' or 'x-litellm-api-key'.",
        "auth_error", "401");

    public static readonly GatewayError InvalidKey = new(401,
        "Authentication Error: invalid proxy server token passed. Check the key you sent.",
        "auth_error", "401");

    public static GatewayError BadRequest(string message, string? param = null, string? code = null) =>
        new(400, message, "invalid_request_error", code ?? "400", param);

    public static GatewayError NotFound(string path) =>
        new(404, $"Route not found: {path}", "invalid_request_error", "404");

    public static GatewayError MethodNotAllowed(string method, string path, string allowed) =>
        new(405, $"Method {method} is not allowed on {path} (allowed: {allowed})", "invalid_request_error", "405");

    public static GatewayError TooLarge(long limitBytes) =>
        new(413, $"Request body exceeds max_request_size_mb ({limitBytes / (1024.0 * 1024.0):0.##} MB)", "invalid_request_error", "413");

    public static GatewayError UpstreamUnreachable(string deployment, string reason) =>
        new(502, $"Upstream for deployment '{deployment}' is unreachable: {reason}", "api_connection_error", "502");

    public static GatewayError UpstreamTooLarge(string deployment, long limitBytes) =>
        new(502, $"Upstream for deployment '{deployment}' answered more than max_response_size_mb ({limitBytes / (1024.0 * 1024.0):0.##} MB); the answer was dropped",
            "api_connection_error", "502");

    public static GatewayError UpstreamTimeout(string deployment, TimeSpan after) =>
        new(504, $"Upstream for deployment '{deployment}' timed out after {after.TotalSeconds:0.###}s", "timeout", "504");

    public static GatewayError Internal(string message) =>
        new(500, message, "internal_server_error", "500");
}

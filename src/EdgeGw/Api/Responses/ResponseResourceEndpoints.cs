using EdgeGw.Auth;

namespace EdgeGw.Api.Responses;

/// <summary>
/// The stored-response routes: <c>GET</c>/<c>DELETE /v1/responses/{id}</c>, <c>GET …/{id}/input_items</c>
/// and <c>POST …/{id}/cancel</c> (also without <c>/v1</c>). A bridged response is answered from the
/// store; a pass-through one is forwarded to the deployment that created it. A response is visible
/// to the key that created it, its team's keys and the master key; to anyone else it does not exist.
/// </summary>
internal static class ResponseResourceEndpoints
{
    public static Task GetAsync(HttpContext context, GatewayState state) =>
        WithStoredAsync(context, state, "", HttpMethod.Get, static (context, _, stored) => WriteJsonAsync(context, stored.ResponseJson));

    public static Task DeleteAsync(HttpContext context, GatewayState state) =>
        WithStoredAsync(context, state, "", HttpMethod.Delete, static async (context, state, stored) =>
        {
            await state.Data.Responses.DeleteAsync(stored.Id, context.RequestAborted);
            await WriteJsonAsync(context, DeletedJson(stored.Id));
        });

    public static Task InputItemsAsync(HttpContext context, GatewayState state) =>
        WithStoredAsync(context, state, "/input_items", HttpMethod.Get, static (context, _, stored) =>
            InputItemsPage.TryParse(context.Request.Query, out var query) is { } error
                ? ErrorWriter.WriteOpenAiAsync(context, error)
                : WriteJsonAsync(context, InputItemsPage.Write(stored, query)));

    // OpenAI cancels only background responses; a bridged one was answered synchronously and has finished.
    public static Task CancelAsync(HttpContext context, GatewayState state) =>
        WithStoredAsync(context, state, "/cancel", HttpMethod.Post, static (context, _, _) =>
            ErrorWriter.WriteOpenAiAsync(context, GatewayError.BadRequest("Cannot cancel a synchronous response.")));

    private static async Task WithStoredAsync(HttpContext context, GatewayState state, string suffix, HttpMethod method,
        Func<HttpContext, GatewayState, StoredResponse, Task> bridged)
    {
        var id = ResponseResourceRoute.IdOf(context.Request.Path.Value ?? "");
        var stored = id is null ? null : await state.Data.Responses.GetAsync(id, context.RequestAborted);
        if (stored is null || !ResponseAccess.CanSee(stored, Caller.Of(context)))
        {
            await ErrorWriter.WriteOpenAiAsync(context, ResponseAccess.NotFound(id ?? ""));
            return;
        }
        if (!stored.IsForwarded)
        {
            await bridged(context, state, stored);
            return;
        }
        if (!await ResponseForwarder.ForwardAsync(context, state, stored, method, suffix))
            await ErrorWriter.WriteOpenAiAsync(context, new GatewayError(404,
                $"Response with id '{stored.Id}' was stored by deployment '{stored.DeploymentId}', which is no longer an OpenAI or Azure deployment of this proxy.",
                "invalid_request_error", null, "response_id"));
    }

    private static async Task WriteJsonAsync(HttpContext context, ReadOnlyMemory<byte> json)
    {
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = json.Length;
        await context.Response.Body.WriteAsync(json, context.RequestAborted);
    }

    private static byte[] DeletedJson(string id)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(64 + id.Length);
        using (var writer = new System.Text.Json.Utf8JsonWriter(buffer, Json.JsonOptions.Writer))
        {
            writer.WriteStartObject();
            writer.WriteString("id"u8, id);
            writer.WriteString("object"u8, "response"u8);
            writer.WriteBoolean("deleted"u8, true);
            writer.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }
}

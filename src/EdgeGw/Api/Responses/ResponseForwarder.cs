using EdgeGw.Buffers;
using EdgeGw.Providers.OpenAi;

namespace EdgeGw.Api.Responses;

/// <summary>
/// GET/DELETE/cancel/input_items of a response an OpenAI or Azure deployment stored: sent to that
/// deployment (the one that created it, remembered by the store) and its answer relayed. The
/// resource URI is the deployment's chat URI with <c>/chat/completions</c> replaced:
/// <code>
///   {api_base}/chat/completions                           → {api_base}/responses/{id}{suffix}
///   {root}/openai/deployments/{d}/chat/completions?api-… → {root}/openai/responses/{id}{suffix}?api-…   (Azure dated)
/// </code>
/// </summary>
internal static class ResponseForwarder
{
    private const string ChatPath = "/chat/completions";
    private const string AzureDeployments = "/openai/deployments/";

    public static Uri ResourceUri(Uri chatUri, string id, string suffix, string query)
    {
        var path = chatUri.AbsolutePath;
        var deployments = path.IndexOf(AzureDeployments, StringComparison.OrdinalIgnoreCase);
        var root = deployments >= 0 ? path[..deployments] + "/openai"
            : path.EndsWith(ChatPath, StringComparison.Ordinal) ? path[..^ChatPath.Length]
            : path;
        var resource = root + "/responses/" + Uri.EscapeDataString(id) + suffix;
        var fullQuery = (chatUri.Query, query) switch
        {
            ("", _) => query,
            (var own, "") => own,
            (var own, _) => own + "&" + query.TrimStart('?'),
        };
        return new UriBuilder(chatUri) { Path = resource, Query = fullQuery.TrimStart('?') }.Uri;
    }

    /// <summary>Forwards and relays; false when <paramref name="deploymentId"/> is no OpenAI-format deployment of this config any more.</summary>
    public static async Task<bool> ForwardAsync(HttpContext context, GatewayState state, StoredResponse stored, HttpMethod method, string suffix)
    {
        var endpoint = Find(state, stored.DeploymentId);
        if (endpoint is null)
            return false;
        var (client, target, timeout) = endpoint.Upstream;
        var deployment = endpoint.Deployment;
        var uri = ResourceUri(target.ChatUri, stored.Id, suffix, context.Request.QueryString.Value ?? "");
        using var message = new HttpRequestMessage(method, uri);
        if (target.AuthValue is not null)
            message.Headers.TryAddWithoutValidation(target.AuthHeader, target.AuthValue);
        if (method == HttpMethod.Post)
            message.Content = new ByteArrayContent([]);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        var (response, error) = await Upstream.UpstreamSend.SendAsync(client, message, cancel, timeout, deployment.ModelName, context.RequestAborted);
        if (response is null)
        {
            await ErrorWriter.WriteOpenAiAsync(context, error!);
            return true;
        }
        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                await ErrorWriter.WriteOpenAiAsync(context, await OpenAiErrorMapper.MapAsync(response, deployment.ModelName, deployment.ApiKey, cancel.Token));
                return true;
            }
            using var buffer = new PooledBufferWriter(8 * 1024);
            error = await Upstream.UpstreamBody.ReadAllAsync(await response.Content.ReadAsStreamAsync(cancel.Token), buffer, deployment.ModelName, context, timeout, cancel.Token);
            if (error is not null)
            {
                await ErrorWriter.WriteOpenAiAsync(context, error);
                return true;
            }
            if (method == HttpMethod.Delete)
                await state.Data.Responses.DeleteAsync(stored.Id, context.RequestAborted);
            context.Response.StatusCode = (int)response.StatusCode;
            context.Response.ContentType = "application/json";
            await context.Response.Body.WriteAsync(buffer.WrittenMemory, context.RequestAborted);
            return true;
        }
    }

    private static OpenAiChatEndpoint? Find(GatewayState state, string deploymentId)
    {
        foreach (var group in state.Models.Groups)
        {
            foreach (var endpoint in group.Endpoints)
            {
                if (endpoint is OpenAiChatEndpoint openAi && string.Equals(endpoint.Deployment.Id, deploymentId, StringComparison.Ordinal))
                    return openAi;
            }
        }
        return null;
    }
}

using EdgeGw.Api;
using EdgeGw.Providers.OpenAi;

namespace EdgeGw.Providers.Azure;

/// <summary>
/// Azure OpenAI speaks OpenAI's chat format, so the OpenAI pass-through serves it: only the URL
/// (<see cref="AzureTarget"/>), the <c>api-key</c> header and the content-filter error code differ.
/// Azure's extra stream chunks (<c>prompt_filter_results</c> first, <c>content_filter_results</c>
/// per choice) are forwarded like any other chunk, with the client's model name spliced in.
/// </summary>
internal sealed class AzureChatEndpoint(ProviderContext context) : OpenAiChatEndpoint(context, AzureTarget.For(context.Deployment))
{
    protected override ValueTask<GatewayError> MapErrorAsync(HttpResponseMessage response, CancellationToken cancellationToken) =>
        AzureErrorMapper.MapAsync(response, Deployment.ModelName, Deployment.ApiKey, cancellationToken);
}

namespace EdgeGw.Providers.Anthropic;

/// <summary>
/// Where an Anthropic Messages deployment is reached and how: Anthropic's own API (<c>x-api-key</c>,
/// <c>anthropic-version</c> header, <c>model</c> in the body) or Claude on Vertex AI (<c>:rawPredict</c> /
/// <c>:streamRawPredict</c>, a Bearer token, the model in the URL and <c>anthropic_version</c> in the body).
/// The Messages body and answers are otherwise the same, so the translators are shared.
/// </summary>
/// <param name="MessagesUri">Where a non-streaming request goes.</param>
/// <param name="StreamUri">Where a streaming request goes (the same URI on Anthropic's API).</param>
/// <param name="CountTokensUri">Anthropic's <c>/v1/messages/count_tokens</c>; null where the gateway estimates instead.</param>
/// <param name="ApiKey">Sent in <c>x-api-key</c> when set.</param>
/// <param name="Auth">Applied once the request is final (Vertex's access token).</param>
/// <param name="BodyVersion">When set, the body carries <c>anthropic_version</c> with this value instead of <c>model</c>, and no version header is sent.</param>
internal sealed record AnthropicTarget(Uri MessagesUri, Uri StreamUri, Uri? CountTokensUri, string? ApiKey, IUpstreamAuth? Auth, string? BodyVersion)
{
    /// <summary>Anthropic's API at <c>api_base</c> with the deployment's key.</summary>
    public static AnthropicTarget Direct(Config.Deployment deployment)
    {
        var messages = AnthropicWire.MessagesUri(deployment.ApiBase);
        return new AnthropicTarget(messages, messages, new Uri(messages.AbsoluteUri + "/count_tokens"),
            string.IsNullOrEmpty(deployment.ApiKey) ? null : deployment.ApiKey, null, null);
    }
}

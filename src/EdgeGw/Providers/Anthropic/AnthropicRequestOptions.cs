namespace EdgeGw.Providers.Anthropic;

/// <summary>
/// What the request translation needs from the deployment and the settings; <paramref name="BodyVersion"/>,
/// when set, replaces <c>model</c> in the body with <c>anthropic_version</c> (Claude on Vertex AI).
/// </summary>
internal readonly record struct AnthropicRequestOptions(string ModelId, int? DeploymentMaxTokens, bool DropParams, bool Stream, string? BodyVersion = null);

/// <summary>
/// The outcome of translating one request: an error for the client, or the parameters that were
/// dropped and whether <c>response_format</c> became the forced <c>json_tool_call</c>.
/// </summary>
internal readonly record struct AnthropicTranslation(Api.GatewayError? Error, bool JsonMode, IReadOnlyList<string> Dropped);

/// <summary>An invalid request shape found during translation; becomes a 400 naming <see cref="Param"/>.</summary>
internal sealed class AnthropicRequestException(string message, string? param) : Exception(message)
{
    public string? Param { get; } = param;
}

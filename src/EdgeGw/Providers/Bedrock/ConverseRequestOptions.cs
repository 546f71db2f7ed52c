namespace EdgeGw.Providers.Bedrock;

/// <summary>What the Converse request translation needs from the deployment and the settings.</summary>
internal readonly record struct ConverseRequestOptions(string ModelId, bool DropParams);

/// <summary>
/// The outcome of translating one request: an error for the client, else the name of the tool that
/// carries <c>response_format</c> JSON (null when none) and the parameters drop_params dropped.
/// </summary>
internal readonly record struct ConverseTranslation(Api.GatewayError? Error, string? JsonToolName, IReadOnlyList<string> Dropped);

/// <summary>An invalid request shape found during translation; becomes a 400 naming <see cref="Param"/>.</summary>
internal sealed class ConverseRequestException(string message, string? param) : Exception(message)
{
    public string? Param { get; } = param;
}

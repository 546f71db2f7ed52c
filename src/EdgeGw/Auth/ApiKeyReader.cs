namespace EdgeGw.Auth;

/// <summary>Finds the caller's key where LiteLLM's clients put it.</summary>
internal static class ApiKeyReader
{
    /// <summary>
    /// <c>Authorization: Bearer</c> (OpenAI SDKs), <c>x-api-key</c> (Anthropic SDKs) or
    /// <c>x-litellm-api-key</c> (LiteLLM's own header, for when Authorization is taken).
    /// </summary>
    /// <remarks>
    /// With <c>general_settings.litellm_key_header_name</c> set, only that header is read, as LiteLLM
    /// does (e.g. when a gateway in front of it owns <c>Authorization</c>).
    /// </remarks>
    public static ReadOnlySpan<char> Read(IHeaderDictionary headers, string? customHeader = null)
    {
        if (customHeader is not null)
        {
            var custom = headers[customHeader];
            return custom.Count > 0 && !string.IsNullOrEmpty(custom[0]) ? StripBearer(custom[0]!) : default;
        }
        var litellm = headers["x-litellm-api-key"];
        if (litellm.Count > 0 && !string.IsNullOrEmpty(litellm[0]))
            return StripBearer(litellm[0]!);
        var authorization = headers.Authorization;
        if (authorization.Count > 0 && !string.IsNullOrEmpty(authorization[0]))
            return StripBearer(authorization[0]!);
        var apiKey = headers["x-api-key"];
        if (apiKey.Count > 0 && !string.IsNullOrEmpty(apiKey[0]))
            return apiKey[0].AsSpan().Trim();
        return default;
    }

    private static ReadOnlySpan<char> StripBearer(string value)
    {
        var span = value.AsSpan().Trim();
        return span.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? span[7..].Trim() : span;
    }
}

using System.Text.Json;
using EdgeGw.Auth;

namespace EdgeGw.Providers.Mock;

/// <summary>
/// A client's <c>mock_response</c>: the chosen deployment answers with that text without calling its
/// provider (billed at its prices, like LiteLLM). Honoured only for keys whose own or team metadata
/// has <c>"allow_client_mock_response": true</c> — LiteLLM's rule, since a mock skips the provider's
/// guardrails and costs; for every other caller the field is just dropped.
/// </summary>
internal static class ClientMock
{
    public static bool Allowed(Caller caller, Accounts accounts)
    {
        if (caller.Key?.Settings is not { } key)
            return false;
        return Flag(key.MetadataJson) || (accounts.TeamOf(key) is { } team && Flag(team.Settings.MetadataJson));
    }

    public static ChatEndpoint Endpoint(ChatEndpoint real, string response, TimeProvider time) =>
        new MockChatEndpoint(real.Deployment with { Mock = new Config.MockSettings(response, TimeSpan.Zero, 0) }, time);

    private static bool Flag(string metadataJson)
    {
        if (!metadataJson.Contains("allow_client_mock_response", StringComparison.Ordinal))
            return false;
        using var document = JsonDocument.Parse(metadataJson);
        return document.RootElement.ValueKind == JsonValueKind.Object
            && document.RootElement.TryGetProperty("allow_client_mock_response", out var flag)
            && flag.ValueKind == JsonValueKind.True;
    }
}

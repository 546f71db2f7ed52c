using System.Globalization;
using System.Text;
using EdgeGw.Api;

namespace EdgeGw.Routing;

/// <summary>
/// LiteLLM's <c>enable_pre_call_checks</c> context-window rule: before a pick, deployments whose
/// <c>model_info.max_input_tokens</c> the prompt estimate exceeds are left out; when none is left the group
/// fails with a context-window error (which <c>context_window_fallbacks</c> then take). No allocation unless it fails.
/// </summary>
internal static class ContextWindowCheck
{
    /// <summary>Adds the deployments too small for <paramref name="promptTokens"/> to <paramref name="exclude"/>; false when none fits.</summary>
    public static bool ExcludeTooSmall(ModelGroup group, long promptTokens, ref DeploymentSet exclude)
    {
        if (!group.Settings.EnablePreCallChecks)
            return true;
        var fits = false;
        for (var i = 0; i < group.Endpoints.Length; i++)
        {
            if (promptTokens > Window(group.Endpoints[i].Deployment))
                exclude.Add(i, group.Endpoints.Length);
            else
                fits = true;
        }
        return fits;
    }

    /// <summary><c>model_info.max_input_tokens</c>, else the cost map's (LiteLLM merges both into the router's model info); null when unknown.</summary>
    private static long? Window(Config.Deployment deployment) =>
        deployment.MaxInputTokens ?? Spend.PricingTable.Find(deployment.Provider, deployment.ModelId)?.MaxInputTokens;

    /// <summary>LiteLLM's ContextWindowExceededError wording, each deployment's window listed, the group named.</summary>
    public static GatewayError Exceeded(ModelGroup group, long promptTokens)
    {
        var message = new StringBuilder("litellm.ContextWindowExceededError: litellm._pre_call_checks: Context Window exceeded for given call. No models have context window large enough for this call.");
        foreach (var endpoint in group.Endpoints)
        {
            var d = endpoint.Deployment;
            message.Append(CultureInfo.InvariantCulture, $"\nModel={d.Provider}/{d.ModelId}, Max Input Tokens={Window(d)}, Got={promptTokens}");
        }
        message.Append(CultureInfo.InvariantCulture, $"\nmodel group={group.Name}");
        return new GatewayError(400, message.ToString(), "invalid_request_error", "context_length_exceeded", "messages");
    }
}

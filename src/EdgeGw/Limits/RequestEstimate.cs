using EdgeGw.Config;
using EdgeGw.Routing;
using EdgeGw.Spend;

namespace EdgeGw.Limits;

/// <summary>
/// The most a request may use, reserved against tpm limits and budgets at admission and settled to
/// its usage at the end: a prompt estimate (a token per four bytes of the body) and its output cap —
/// <c>max_tokens</c>/<c>max_completion_tokens</c> (times <c>n</c>) when the request sets one, else
/// the largest its deployments default to: <c>model_info.max_tokens</c>, a cost map's
/// <c>max_output_tokens</c>, else <see cref="DefaultOutputCap"/> — plus the thinking budget where
/// translation raises the cap by it.
/// </summary>
internal readonly record struct RequestEstimate(long PromptTokens, long? OutputCap, int Choices = 1, long ThinkingTokens = 0)
{
    /// <summary>What a request without a cap reserves for its answer: Anthropic's default <c>max_tokens</c>.</summary>
    public const long DefaultOutputCap = 4096;

    /// <summary>Most answers one request's reservation counts (OpenAI's own cap on <c>n</c>).</summary>
    public const int MaxChoices = 128;

    public static RequestEstimate FromBody(int bodyBytes, long? outputCap, int choices = 1, long thinkingTokens = 0) =>
        new((bodyBytes + 3L) / 4, outputCap, Math.Clamp(choices, 1, MaxChoices), thinkingTokens);

    /// <summary>Output tokens reserved on <paramref name="group"/>.</summary>
    public long OutputTokens(ModelGroup group)
    {
        var cap = OutputCap ?? 0;
        if (OutputCap is null)
        {
            foreach (var endpoint in group.Endpoints)
                cap = Math.Max(cap, DefaultCap(endpoint.Deployment));
        }
        // The anthropic/ translation raises a cap at or below the thinking budget by that budget.
        if (ThinkingTokens > 0 && cap <= ThinkingTokens)
            cap += ThinkingTokens;
        return cap * Math.Max(Choices, 1);
    }

    /// <summary>The tokens taken from tpm buckets, counted as <c>token_rate_limit_type</c> says.</summary>
    public long Tokens(TokenRateLimitType countType, long outputTokens) => countType switch
    {
        TokenRateLimitType.Input => PromptTokens,
        TokenRateLimitType.Output => outputTokens,
        _ => PromptTokens + outputTokens,
    };

    private static long DefaultCap(Deployment deployment) =>
        deployment.MaxTokens ?? PricingTable.Find(deployment.Provider, deployment.ModelId)?.MaxOutputTokens ?? DefaultOutputCap;
}

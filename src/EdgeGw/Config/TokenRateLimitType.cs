namespace EdgeGw.Config;

/// <summary><c>general_settings.token_rate_limit_type</c>: which tokens count against <c>tpm</c> limits.</summary>
internal enum TokenRateLimitType
{
    /// <summary>Prompt plus completion tokens (LiteLLM's default).</summary>
    Total,
    Input,
    Output,
}

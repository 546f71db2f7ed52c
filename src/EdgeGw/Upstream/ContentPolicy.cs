using EdgeGw.Api;

namespace EdgeGw.Upstream;

/// <summary>
/// LiteLLM's <c>ContentPolicyViolationError</c>: a provider refusing the prompt or the output on
/// policy grounds. Recognised by the same codes and phrases LiteLLM's exception mapping matches
/// (litellm_core_utils/exception_mapping_utils.py), answered as a 400 whose message starts with
/// LiteLLM's class name (LiteLLM SDK clients re-raise the class from it), and routed to
/// <c>content_policy_fallbacks</c> by <see cref="Routing.RetryRules"/>.
/// </summary>
internal static class ContentPolicy
{
    public const string Code = "content_policy_violation";
    /// <summary>Azure's own code for its content filter, passed on as Azure clients know it.</summary>
    public const string AzureCode = "content_filter";
    public const string MessagePrefix = "litellm.ContentPolicyViolationError: ";

    private static readonly string[] Phrases =
    [
        "content_policy_violation",                          // OpenAI's code, echoed in messages
        "violating our usage policy",                        // OpenAI "Invalid prompt: … violating our usage policy"
        "as a result of our safety system",                  // OpenAI images, Azure
        "as a result of the safety system",
        "responsibleaipolicyviolation",                      // Azure innererror.code
        "content management policy",                         // Azure "…triggering Azure OpenAI's content management policy"
        "content_filter_policy",
        "content filtering policy",                          // Anthropic "Output blocked by content filtering policy"
        "the response was blocked.",                         // Vertex AI / Gemini
    ];

    public static bool IsCode(string? code) => code is Code or AzureCode;

    public static bool IsMessage(string message)
    {
        foreach (var phrase in Phrases)
        {
            if (message.Contains(phrase, StringComparison.OrdinalIgnoreCase))
                return true;
        }
        return false;
    }

    /// <summary>The error as LiteLLM answers a content-policy violation, whatever status the provider used.</summary>
    public static GatewayError Violation(GatewayError error) => error with
    {
        Status = 400,
        Type = "invalid_request_error",
        Code = error.Code == AzureCode ? AzureCode : Code,
        Message = error.Message.StartsWith(MessagePrefix, StringComparison.Ordinal) ? error.Message : MessagePrefix + error.Message,
    };

    /// <summary><paramref name="error"/> as a violation when its code or message says it is one.</summary>
    public static GatewayError Classify(GatewayError error) =>
        IsCode(error.Code) || IsMessage(error.Message) ? Violation(error) : error;
}

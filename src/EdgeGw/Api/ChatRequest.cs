using EdgeGw.Json;

namespace EdgeGw.Api;

/// <summary>
/// What the gateway needs to know about an OpenAI chat request before routing it; the body itself
/// stays as the client's bytes and is forwarded with only the spliced edits it needs.
/// </summary>
internal struct ChatRequest
{
    /// <summary>The <c>model</c> string token, quotes included.</summary>
    public JsonRange Model;
    public JsonRange Messages;
    /// <summary>The value of <c>stream_options</c>, if present.</summary>
    public JsonRange StreamOptions;
    public bool StreamOptionsIsEmpty;
    /// <summary>The value of <c>stream_options.include_usage</c>, if present.</summary>
    public JsonRange IncludeUsageValue;
    /// <summary>Offset just after the root object's opening brace.</summary>
    public int RootBodyStart;
    public bool Stream;
    public bool ClientWantsUsage;
    /// <summary>The larger of <c>max_tokens</c> and <c>max_completion_tokens</c>; 0 when neither is a number.</summary>
    public long MaxOutputTokens;
    /// <summary><c>n</c>: answers generated, each up to the output cap (0 when absent).</summary>
    public int Choices;
    /// <summary><c>thinking.budget_tokens</c>, or the most a <c>reasoning_effort</c> maps to; 0 without either.</summary>
    public long ThinkingTokens;

    /// <summary>A rough prompt size for admission and the mock provider: four bytes a token.</summary>
    public readonly long EstimatedPromptTokens => (Messages.Length + 3) / 4;

    /// <summary>What admission reserves for this request, whose whole body is <paramref name="bodyBytes"/> long.</summary>
    public readonly Limits.RequestEstimate Estimate(int bodyBytes) =>
        Limits.RequestEstimate.FromBody(bodyBytes, MaxOutputTokens > 0 ? MaxOutputTokens : null, Math.Max(Choices, 1), ThinkingTokens);
}

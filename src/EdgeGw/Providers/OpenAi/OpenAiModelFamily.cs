using EdgeGw.Config;

namespace EdgeGw.Providers.OpenAi;

/// <summary>The OpenAI reasoning-model families whose Chat Completions parameters differ.</summary>
internal enum OpenAiModelFamily : byte
{
    /// <summary>Every other model: the client's parameters go as sent.</summary>
    Standard,
    /// <summary>gpt-5, gpt-5-mini, gpt-5.1, gpt-5.2, gpt-5-codex … (not gpt-5-chat).</summary>
    Gpt5,
    /// <summary>o1, o3, o3-mini, o4-mini ….</summary>
    OSeries,
}

/// <summary>
/// Which family a deployment's model belongs to, decided once per deployment by LiteLLM's name
/// rules (<c>OpenAIGPT5Config.is_model_gpt_5_model</c>, <c>is_model_o_series_model</c>, and their
/// Azure variants, which look at the deployment name and honour <c>o_series/</c> and
/// <c>gpt5_series/</c> prefixes).
/// </summary>
internal static class OpenAiModelFamilies
{
    public const string OSeriesRoute = "o_series/";
    public const string Gpt5SeriesRoute = "gpt5_series/";

    public static OpenAiModelFamily Of(Deployment deployment) => deployment.Provider switch
    {
        "openai" => OfOpenAi(deployment.ModelId),
        "azure" => OfAzure(deployment.ModelId),
        _ => OpenAiModelFamily.Standard,
    };

    private static OpenAiModelFamily OfOpenAi(string model)
    {
        if (model.Contains("gpt-5", StringComparison.Ordinal) && !model.Contains("gpt-5-chat", StringComparison.Ordinal))
            return OpenAiModelFamily.Gpt5;
        var name = LastSegment(model);
        return name.StartsWith("o1", StringComparison.Ordinal) || name.StartsWith("o3", StringComparison.Ordinal) || name.StartsWith("o4", StringComparison.Ordinal)
            ? OpenAiModelFamily.OSeries
            : OpenAiModelFamily.Standard;
    }

    // Azure deployments are named by their owner; LiteLLM matches substrings, o-series first.
    private static OpenAiModelFamily OfAzure(string deployment) =>
        deployment.Contains("o1", StringComparison.Ordinal) || deployment.Contains("o3", StringComparison.Ordinal) || deployment.Contains(OSeriesRoute, StringComparison.Ordinal)
            ? OpenAiModelFamily.OSeries
            : deployment.Contains("gpt-5", StringComparison.Ordinal) || deployment.Contains("gpt5_series", StringComparison.Ordinal)
                ? OpenAiModelFamily.Gpt5
                : OpenAiModelFamily.Standard;

    /// <summary>
    /// gpt-5.1 and later point releases accept <c>reasoning_effort: "none"</c> (their default), and
    /// with it any temperature, <c>top_p</c> and <c>logprobs</c>; LiteLLM reads this from its model
    /// map (<c>supports_none_reasoning_effort</c>), which leaves out the codex and pro variants.
    /// </summary>
    public static bool SupportsNoneEffort(string model)
    {
        var name = LastSegment(model);
        return name.Length > 6 && name.StartsWith("gpt-5.", StringComparison.Ordinal) && name[6] is >= '1' and <= '9'
            && !name.Contains("codex", StringComparison.Ordinal) && !name.Contains("-pro", StringComparison.Ordinal);
    }

    /// <summary>The Azure deployment name without LiteLLM's family-forcing route prefix.</summary>
    public static string AzureDeploymentName(string modelId) =>
        modelId.StartsWith(OSeriesRoute, StringComparison.Ordinal) ? modelId[OSeriesRoute.Length..]
        : modelId.StartsWith(Gpt5SeriesRoute, StringComparison.Ordinal) ? modelId[Gpt5SeriesRoute.Length..]
        : modelId;

    private static string LastSegment(string model) => model[(model.LastIndexOf('/') + 1)..];
}

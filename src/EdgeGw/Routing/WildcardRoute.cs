using EdgeGw.Config;

namespace EdgeGw.Routing;

/// <summary>
/// The deployments of one wildcard <c>model_name</c> (<c>"*"</c>, <c>"openai/*"</c>, <c>"claude-*"</c>):
/// for a name it matches, each becomes a concrete deployment whose model id is its
/// <c>litellm_params.model</c> with the wildcards filled from the name, as LiteLLM's pattern router does.
/// </summary>
internal sealed class WildcardRoute(ModelPattern pattern, Deployment[] deployments)
{
    public ModelPattern Pattern { get; } = pattern;
    public Deployment[] Deployments { get; } = deployments;

    /// <summary>
    /// <paramref name="requested"/>'s deployment from <paramref name="template"/>, given that
    /// <paramref name="matched"/> (the requested name, or it with its inferred provider prefix) matched with
    /// <paramref name="captures"/>; or the reason no provider serves it.
    /// </summary>
    public static string? Expand(Deployment template, string requested, string matched, ReadOnlySpan<Range> captures, out Deployment deployment)
    {
        var model = Fill(template.ModelId, matched, captures);
        deployment = template with { ModelName = requested, ModelId = model, Pattern = template.ModelName, PerProvider = System.Collections.Frozen.FrozenDictionary<string, Deployment>.Empty };
        if (template.Provider != ModelReference.PerRequest)
            return null;
        if (ModelReference.TryParse(model, out var provider, out var modelId) is { } problem)
            return $"Cannot route model={requested}: {problem}";
        if (provider == ModelReference.PerRequest)
            return $"Cannot route model={requested}: a provider is needed (write provider/model-id)";
        if (!template.PerProvider.TryGetValue(provider, out var completed))
            return $"Cannot route model={requested}: the model_list entry '{template.ModelName}' has no api_base for {provider}/";
        deployment = completed with { ModelName = requested, ModelId = modelId, Pattern = template.ModelName, PerProvider = System.Collections.Frozen.FrozenDictionary<string, Deployment>.Empty };
        return null;
    }

    // LiteLLM's set_deployment_model_name: each '*' takes the next capture; more captures than
    // wildcards means the request's own name is the model.
    private static string Fill(string model, string matched, ReadOnlySpan<Range> captures)
    {
        var wildcards = model.AsSpan().Count('*');
        if (wildcards == 0)
            return model;
        if (captures.Length > wildcards)
            return matched;
        var result = new System.Text.StringBuilder(model.Length + matched.Length);
        var next = 0;
        foreach (var c in model)
        {
            if (c == '*' && next < captures.Length)
                result.Append(matched.AsSpan()[captures[next++]]);
            else
                result.Append(c);
        }
        return result.ToString();
    }
}

namespace EdgeGw.Tests.Infrastructure;

/// <summary>A <c>model_list</c> entry for an <c>openai/gpt-4o</c> deployment answered by a <see cref="FakeUpstream"/>.</summary>
public static class OpenAiDeploymentYaml
{
    /// <param name="path">Prefix before <c>/v1</c>, so one upstream can tell deployments apart.</param>
    /// <param name="extra">More <c>litellm_params</c> lines, each <c>key: value</c>.</param>
    public static string Of(string modelName, FakeUpstream upstream, string path = "", params string[] extra) =>
        $"""
        - model_name: {modelName}
          litellm_params:
            model: openai/gpt-4o
            api_base: {upstream.Url}{path}/v1
            api_key: sk-upstream
        """ + string.Concat(extra.Select(line => "\n    " + line));
}

using EdgeGw.Config;
using EdgeGw.Providers;
using EdgeGw.Upstream;

namespace EdgeGw.Tests.Bedrock;

/// <summary>A Bedrock deployment as a user writes it in config.yaml, with a hermetic environment.</summary>
internal static class BedrockDeployments
{
    public static GatewayConfig Config(string litellmParams = "", Dictionary<string, string>? env = null,
        string model = "bedrock/us.anthropic.claude-3-5-sonnet-20241022-v2:0")
    {
        var indented = string.Join("\n", litellmParams.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => "      " + l.Trim()));
        var yaml = $"""
            model_list:
              - model_name: claude
                litellm_params:
                  model: {model}
            {indented}
            general_settings:
              master_key: sk-test
            """;
        // Nothing from the machine running the tests: no real ~/.aws/credentials, no real AWS_* variables.
        var environment = new Dictionary<string, string> { ["AWS_SHARED_CREDENTIALS_FILE"] = "/nonexistent/edgegw-test/credentials" };
        foreach (var (k, v) in env ?? [])
            environment[k] = v;
        return ConfigLoader.Parse(yaml, name => environment.GetValueOrDefault(name));
    }

    public static ProviderContext Context(GatewayConfig config, UpstreamClients clients, TimeProvider time) =>
        new(config.Deployments[0], clients, new UpstreamTimeouts(TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30)), config.Litellm, time, config.Environment);

    public static Deployment Deployment(string litellmParams = "", Dictionary<string, string>? env = null, string model = "bedrock/us.anthropic.claude-3-5-sonnet-20241022-v2:0") =>
        Config(litellmParams, env, model).Deployments[0];
}

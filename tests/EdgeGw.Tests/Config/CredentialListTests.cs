using EdgeGw.Config;

namespace EdgeGw.Tests.Config;

/// <summary>LiteLLM's top-level <c>credential_list</c>, borrowed by deployments through <c>litellm_credential_name</c>.</summary>
public sealed class CredentialListTests
{
    private const string Master = "general_settings:\n  master_key: sk-m\n";

    private const string AzureCredential = """
        credential_list:
          - credential_name: default_azure_credential
            credential_values:
              api_key: os.environ/AZURE_API_KEY
              api_base: https://my-endpoint.openai.azure.com
              api_version: "2025-01-01-preview"
            credential_info:
              description: "Azure key for the EU region"

        """;

    private static GatewayConfig Parse(string yaml, Dictionary<string, string>? env = null) =>
        ConfigLoader.Parse(yaml, name => env?.GetValueOrDefault(name));

    private static string Deployment(params string[] extra) =>
        "model_list:\n  - model_name: gpt\n    litellm_params:\n      model: azure/gpt-4o\n      litellm_credential_name: default_azure_credential\n"
        + string.Concat(extra.Select(line => $"      {line}\n"));

    [Fact]
    public void DeploymentNamingACredential_GetsItsKeyBaseAndVersionWithEnvironmentResolved()
    {
        var config = Parse(AzureCredential + Deployment() + Master, new() { ["AZURE_API_KEY"] = "sk-azure-from-env" });

        var d = config.Deployments[0];
        Assert.Equal(("sk-azure-from-env", "https://my-endpoint.openai.azure.com", "2025-01-01-preview"), (d.ApiKey, d.ApiBase, d.ApiVersion));
        Assert.False(d.OtherParams.ContainsKey("litellm_credential_name"));
    }

    [Fact]
    public void DeploymentsOwnParams_WinOverTheCredentials()
    {
        var config = Parse(AzureCredential + Deployment("api_key: sk-own", "api_version: \"2024-10-21\"") + Master,
            new() { ["AZURE_API_KEY"] = "sk-azure-from-env" });

        var d = config.Deployments[0];
        Assert.Equal(("sk-own", "https://my-endpoint.openai.azure.com", "2024-10-21"), (d.ApiKey, d.ApiBase, d.ApiVersion));
    }

    [Fact]
    public void ProviderParamsInACredential_ReachTheDeployment()
    {
        var config = Parse("""
            credential_list:
              - credential_name: aws
                credential_values:
                  aws_access_key_id: os.environ/AWS_ID
                  aws_region_name: eu-west-1
            model_list:
              - model_name: claude
                litellm_params:
                  model: bedrock/anthropic.claude-3-haiku-20240307-v1:0
                  litellm_credential_name: aws
            """ + "\n" + Master, new() { ["AWS_ID"] = "AKIAEXAMPLE" });

        var other = config.Deployments[0].OtherParams;
        Assert.Equal(("AKIAEXAMPLE", "eu-west-1"), (other["aws_access_key_id"], other["aws_region_name"]));
    }

    [Fact]
    public void UnknownCredentialName_IsAConfigErrorNamingDeploymentAndCredential()
    {
        // The name may be a stored credential: the deployment waits for the database's, and fails when none has it.
        var config = Parse(AzureCredential + Deployment().Replace("default_azure_credential\n", "missing_cred\n", StringComparison.Ordinal) + Master);
        Assert.Empty(config.Deployments);
        var errors = new List<string>();
        Assert.Empty(EdgeGw.Api.StoredCredentials.ReadBorrowing(config, config.Credentials, errors));
        var e = new ConfigException("", Assert.Single(errors));

        Assert.Contains("model_list[0].litellm_params.litellm_credential_name", e.Message, StringComparison.Ordinal);
        Assert.Contains("'missing_cred'", e.Message, StringComparison.Ordinal);
        Assert.Contains("default_azure_credential", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CredentialWithoutValues_IsAConfigError()
    {
        var e = Assert.Throws<ConfigException>(() => Parse("credential_list:\n  - credential_name: c\n" + Master));

        Assert.Contains("credential_list[0].credential_values", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CredentialList_IsNotReportedAsIgnored()
    {
        var config = Parse(AzureCredential + Deployment() + Master, new() { ["AZURE_API_KEY"] = "k" });

        Assert.DoesNotContain(config.IgnoredKeys, k => k.Contains("credential", StringComparison.Ordinal));
    }

    [Fact]
    public void CredentialValues_NeverAppearInWarnings()
    {
        var config = Parse(AzureCredential.Replace("https://my-endpoint.openai.azure.com", "os.environ/UNSET_BASE", StringComparison.Ordinal)
            + Deployment("api_base: https://own.example.com") + Master, new() { ["AZURE_API_KEY"] = "sk-secret-value" });

        Assert.DoesNotContain(config.Warnings, w => w.Contains("sk-secret-value", StringComparison.Ordinal));
    }

    [Fact]
    public void UnsetVariableInACredential_IsReportedAtTheCredentialNotTheDeployment()
    {
        var config = Parse(AzureCredential + Deployment() + Master);

        Assert.Contains("credential_list[0].credential_values.api_key: environment variable AZURE_API_KEY is not set", config.Warnings);
        Assert.Null(config.Deployments[0].ApiKey);
    }

    [Theory]
    [InlineData("aes-256-gcm", "V3Gcm")]
    [InlineData("xsalsa20-poly1305", "LegacyNacl")]
    public void EncryptionAlgorithm_SelectsTheWriteFormat(string algorithm, string expected) =>
        Assert.Equal(expected, Parse(Master + $"  encryption_algorithm: {algorithm}\n").General.EncryptionAlgorithm.ToString());

    [Fact]
    public void EncryptionAlgorithmUnset_WritesLegacySecretBoxEveryLiteLlmReads() =>
        Assert.Equal(EdgeGw.Storage.Secrets.SecretFormat.LegacyNacl, Parse(Master).General.EncryptionAlgorithm);

    [Fact]
    public void UnknownEncryptionAlgorithm_IsAConfigErrorListingTheChoices()
    {
        var e = Assert.Throws<ConfigException>(() => Parse(Master + "  encryption_algorithm: rot13\n"));

        Assert.Contains("general_settings.encryption_algorithm", e.Message, StringComparison.Ordinal);
        Assert.Contains("aes-256-gcm", e.Message, StringComparison.Ordinal);
    }
}

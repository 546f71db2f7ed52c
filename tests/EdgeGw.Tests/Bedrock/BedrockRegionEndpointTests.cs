using EdgeGw.Providers.Bedrock.Aws;

namespace EdgeGw.Tests.Bedrock;

/// <summary>Region and runtime endpoint precedence, as LiteLLM's _get_aws_region_name and get_runtime_endpoint.</summary>
public sealed class BedrockRegionEndpointTests
{
    private static readonly Dictionary<string, string> AllRegionVariables = new()
    {
        ["AWS_REGION_NAME"] = "eu-west-1", ["AWS_REGION"] = "eu-west-2", ["AWS_DEFAULT_REGION"] = "eu-west-3",
    };

    private static string Region(string litellmParams = "", Dictionary<string, string>? env = null, string model = "bedrock/anthropic.claude-3-haiku-20240307-v1:0")
    {
        var config = BedrockDeployments.Config(litellmParams, env, model);
        return BedrockRegion.Resolve(config.Deployments[0], config.Environment);
    }

    [Fact]
    public void AwsRegionNameParam_WinsOverArnAndEnvironment() =>
        Assert.Equal("ap-south-1", Region("aws_region_name: ap-south-1", AllRegionVariables,
            "bedrock/arn:aws:bedrock:us-east-2:123456789012:inference-profile/us.anthropic.claude-3-5-sonnet-20241022-v2:0"));

    [Fact]
    public void ArnModelId_SuppliesRegionBeforeEnvironment() =>
        Assert.Equal("us-east-2", Region("", AllRegionVariables,
            "bedrock/arn:aws:bedrock:us-east-2:123456789012:inference-profile/us.anthropic.claude-3-5-sonnet-20241022-v2:0"));

    [Fact]
    public void AwsRegionName_WinsOverAwsRegion() => Assert.Equal("eu-west-1", Region("", AllRegionVariables));

    [Fact]
    public void AwsRegion_WinsOverAwsDefaultRegion() =>
        Assert.Equal("eu-west-2", Region("", new() { ["AWS_REGION"] = "eu-west-2", ["AWS_DEFAULT_REGION"] = "eu-west-3" }));

    [Fact]
    public void AwsDefaultRegion_UsedLast() => Assert.Equal("eu-west-3", Region("", new() { ["AWS_DEFAULT_REGION"] = "eu-west-3" }));

    [Fact]
    public void NoRegionAnywhere_DefaultsToUsWest2LikeLitellm() => Assert.Equal("us-west-2", Region());

    [Fact]
    public void EnvironmentVariablesSection_SuppliesRegion()
    {
        var config = BedrockDeployments.Config("", null, "bedrock/anthropic.claude-3-haiku-20240307-v1:0");
        var withSection = EdgeGw.Config.ConfigLoader.Parse("""
            model_list:
              - model_name: claude
                litellm_params:
                  model: bedrock/anthropic.claude-3-haiku-20240307-v1:0
            general_settings:
              master_key: sk-test
            environment_variables:
              AWS_REGION_NAME: ca-central-1
            """, _ => null);

        Assert.Equal("ca-central-1", BedrockRegion.Resolve(withSection.Deployments[0], withSection.Environment));
        Assert.Equal("us-west-2", BedrockRegion.Resolve(config.Deployments[0], config.Environment));
    }

    [Theory]
    [InlineData("us-east-1", true)]
    [InlineData("us-gov-west-1", true)]
    [InlineData("US-EAST-1", false)]
    [InlineData("us-east-1.evil.com/", false)]
    [InlineData("", false)]
    public void RegionFormat_OnlyLowercaseDigitsAndHyphens(string region, bool valid) => Assert.Equal(valid, BedrockRegion.IsValid(region));

    private static string Endpoint(string litellmParams = "", Dictionary<string, string>? env = null, string region = "us-east-1")
    {
        var config = BedrockDeployments.Config(litellmParams, env);
        return BedrockEndpoint.Resolve(config.Deployments[0], region, config.Environment).ToString();
    }

    private static readonly Dictionary<string, string> EndpointVariable = new() { ["AWS_BEDROCK_RUNTIME_ENDPOINT"] = "https://from-env.example.com" };

    [Fact]
    public void ApiBase_WinsOverRuntimeEndpointParamAndVariable() =>
        Assert.Equal("https://api-base.example.com/", Endpoint("api_base: https://api-base.example.com\naws_bedrock_runtime_endpoint: https://param.example.com", EndpointVariable));

    [Fact]
    public void RuntimeEndpointParam_WinsOverVariable() =>
        Assert.Equal("https://param.example.com/", Endpoint("aws_bedrock_runtime_endpoint: https://param.example.com", EndpointVariable));

    [Fact]
    public void RuntimeEndpointVariable_WinsOverRegionalDefault() => Assert.Equal("https://from-env.example.com/", Endpoint("", EndpointVariable));

    [Fact]
    public void NoEndpointConfigured_UsesRegionalRuntimeHost() =>
        Assert.Equal("https://bedrock-runtime.eu-central-1.amazonaws.com/", Endpoint(region: "eu-central-1"));

    [Fact]
    public void ChinaRegion_UsesChinaDnsSuffix() =>
        Assert.Equal("https://bedrock-runtime.cn-north-1.amazonaws.com.cn/", Endpoint(region: "cn-north-1"));

    [Fact]
    public void BaseWithPath_KeepsPathWithoutTrailingSlash()
    {
        var config = BedrockDeployments.Config("api_base: https://gateway.example.com/aws/bedrock/");
        var uri = BedrockEndpoint.Resolve(config.Deployments[0], "us-east-1", config.Environment);

        Assert.Equal("/aws/bedrock", uri.AbsolutePath);
    }
}

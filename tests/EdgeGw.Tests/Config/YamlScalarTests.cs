using EdgeGw.Config;
using EdgeGw.Tests.Infrastructure;

namespace EdgeGw.Tests.Config;

/// <summary>Scalars read as PyYAML (YAML 1.1) reads them, since LiteLLM configs are written for it.</summary>
public sealed class YamlScalarTests
{
    private static GatewayConfig Parse(string yaml, Dictionary<string, string>? env = null) =>
        ConfigLoader.Parse(yaml, name => env?.GetValueOrDefault(name));

    private static string Problem(string yaml) => Assert.Throws<ConfigException>(() => Parse(yaml)).Message;

    private static Deployment OneDeployment(string litellmParams) => Assert.Single(Parse($$"""
        model_list:
          - model_name: m
            litellm_params: { model: openai/m, {{litellmParams}} }
        general_settings: { master_key: sk-m }
        """).Deployments);

    [Fact]
    public void TpmWithUnderscores_ParsesAsInteger()
    {
        // A production tutorial's config: three keys of one Claude group with tpm: 200_000 / 400_000.
        var config = Parse(TutorialConfigs.SdkLessonProduction, TutorialConfigs.SdkLessonProductionEnvironment);

        Assert.Equal([200_000, 200_000, 400_000], config.Deployments.Take(3).Select(d => d.Tpm ?? 0));
        Assert.Equal([500, 500, 1000], config.Deployments.Take(3).Select(d => d.Rpm ?? 0));
    }

    [Theory]
    [InlineData("rpm: 1_000", 1000)]
    [InlineData("rpm: 0x1F4", 500)]
    [InlineData("rpm: 0b1010", 10)]
    [InlineData("rpm: 010", 8)] // YAML 1.1 octal, as PyYAML reads it
    [InlineData("rpm: 1:30", 90)] // YAML 1.1 base 60
    [InlineData("rpm: +42", 42)]
    [InlineData("rpm: 100.0", 100)]
    [InlineData("rpm: \"2_500\"", 2500)]
    public void YamlOneOneIntegers_ReadAsPyYamlDoes(string setting, int expected) =>
        Assert.Equal(expected, OneDeployment(setting).Rpm);

    [Theory]
    [InlineData("rpm: ~")]
    [InlineData("rpm: null")]
    [InlineData("rpm: Null")]
    [InlineData("rpm: NULL")]
    [InlineData("rpm:")]
    public void NullSpellings_MeanUnset(string setting) => Assert.Null(OneDeployment(setting).Rpm);

    [Fact]
    public void FloatWithUnderscores_ParsesAsNumber()
    {
        var d = OneDeployment("timeout: 1_0.5, weight: 1_000.25, input_cost_per_token: 0.000_002_5");
        Assert.Equal(TimeSpan.FromSeconds(10.5), d.Timeout);
        Assert.Equal(1000.25, d.Weight);
        Assert.Equal(0.0000025m, d.InputCostPerToken);
    }

    [Fact]
    public void NumberTooLargeForTheField_IsNamed() =>
        Assert.StartsWith("model_list[0].litellm_params.tpm: 10_000_000_000 is too large",
            Problem("model_list:\n  - model_name: m\n    litellm_params: { model: openai/m, tpm: 10_000_000_000 }\ngeneral_settings: { master_key: sk-m }\n"),
            StringComparison.Ordinal);

    [Fact]
    public void InfiniteTimeout_IsRejectedAsNotFinite() =>
        Assert.StartsWith("model_list[0].litellm_params.timeout: expected a finite number, got '.inf'",
            Problem("model_list:\n  - model_name: m\n    litellm_params: { model: openai/m, timeout: .inf }\ngeneral_settings: { master_key: sk-m }\n"),
            StringComparison.Ordinal);

    [Fact]
    public void InfiniteBudget_IsNoBudget()
    {
        var config = Parse("model_list: []\nlitellm_settings: { max_budget: .inf }\ngeneral_settings: { master_key: sk-m }\n");
        Assert.Null(config.Litellm.MaxBudget);
    }

    [Theory]
    [InlineData("yes", true)]
    [InlineData("Yes", true)]
    [InlineData("YES", true)]
    [InlineData("on", true)]
    [InlineData("On", true)]
    [InlineData("ON", true)]
    [InlineData("True", true)]
    [InlineData("no", false)]
    [InlineData("No", false)]
    [InlineData("NO", false)]
    [InlineData("off", false)]
    [InlineData("Off", false)]
    [InlineData("OFF", false)]
    [InlineData("FALSE", false)]
    public void BooleanSpellings_ReadAsPyYamlDoes(string spelling, bool expected)
    {
        var config = Parse($"model_list: []\nlitellm_settings:\n  drop_params: {spelling}\n  json_logs: {spelling}\ngeneral_settings: {{ master_key: sk-m }}\n");
        Assert.Equal(expected, config.Litellm.DropParams);
        Assert.Equal(expected, config.Litellm.JsonLogs);
    }

    [Fact]
    public void DropParamsYes_IsHonoured()
    {
        var config = Parse("""
            model_list: []
            litellm_settings:
              drop_params: yes
            general_settings:
              master_key: sk-m
            """);
        Assert.True(config.Litellm.DropParams);
        Assert.DoesNotContain("litellm_settings.drop_params", config.IgnoredKeys);
    }

    [Fact]
    public void StringThatLooksLikeANumber_StaysAString()
    {
        var config = Parse("""
            model_list:
              - model_name: 2024
                litellm_params:
                  model: openai/0123
                  api_key: 0123
                  api_version: 2024-10-21
                  extra_headers: { X-Flag: yes, X-Zero: 0x10 }
            general_settings:
              master_key: 0777
            """);
        var d = Assert.Single(config.Deployments);
        Assert.Equal(("2024", "0123", "0123", "2024-10-21"), (d.ModelName, d.ModelId, d.ApiKey, d.ApiVersion));
        Assert.Equal("yes", d.ExtraHeaders["X-Flag"]);
        Assert.Equal("0x10", d.ExtraHeaders["X-Zero"]);
        Assert.Equal("0777", config.General.MasterKey);
    }

    [Fact]
    public void QuotedNull_IsTheString()
    {
        var d = OneDeployment("api_key: \"null\"");
        Assert.Equal("null", d.ApiKey);
    }

    [Fact]
    public void EnvironmentValue_IsReadWithTheSameRules()
    {
        var config = Parse("""
            model_list:
              - model_name: m
                litellm_params: { model: openai/m, tpm: os.environ/TPM }
            litellm_settings: { drop_params: os.environ/DROP }
            general_settings: { master_key: sk-m }
            """, new() { ["TPM"] = "200_000", ["DROP"] = "Yes" });
        Assert.Equal(200_000, config.Deployments[0].Tpm);
        Assert.True(config.Litellm.DropParams);
    }

    [Theory]
    [InlineData("rpm: _100")]
    [InlineData("rpm: 1e3x")]
    [InlineData("rpm: 0x")]
    [InlineData("rpm: 1:75")]
    public void NotANumber_IsRejectedWithItsKeyPath(string setting) =>
        Assert.StartsWith("model_list[0].litellm_params.rpm: expected a whole number",
            Problem($"model_list:\n  - model_name: m\n    litellm_params: {{ model: openai/m, {setting} }}\ngeneral_settings: {{ master_key: sk-m }}\n"),
            StringComparison.Ordinal);
}

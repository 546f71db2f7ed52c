using System.Net;
using System.Text;
using EdgeGw.Tests.Infrastructure;

namespace EdgeGw.Tests.Providers.Azure;

/// <summary>What reaches Azure: which URL scheme, which key header, which body.</summary>
public sealed class AzureRequestTests
{
    [Theory]
    [InlineData("2024-10-21", "")]
    [InlineData("2024-10-21", "/")]
    [InlineData("2024-10-21", "/openai")]
    [InlineData("2025-04-01-preview", "/openai/")]
    public async Task DatedApiVersion_CallsDeploymentPathWithApiVersionQuery(string version, string baseSuffix)
    {
        await using var azure = await AzureGateway.StartAsync(version, baseSuffix);
        azure.Upstream.RespondJson(AzureWire.Completion);

        using var response = await azure.ChatAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal($"/openai/deployments/{AzureWire.Deployment}/chat/completions?api-version={version}", azure.Upstream.LastRequest.PathAndQuery);
    }

    [Theory]
    [InlineData("v1", "")]
    [InlineData("latest", "")]
    [InlineData(null, "")]
    [InlineData("v1", "/openai")]
    [InlineData(null, "/openai/v1")]
    [InlineData("V1", "/openai/v1/")]
    public async Task V1ApiVersionOrNone_CallsV1PathWithoutApiVersion(string? version, string baseSuffix)
    {
        await using var azure = await AzureGateway.StartAsync(version, baseSuffix);
        azure.Upstream.RespondJson(AzureWire.Completion);

        using var response = await azure.ChatAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("/openai/v1/chat/completions", azure.Upstream.LastRequest.PathAndQuery);
    }

    [Fact]
    public async Task PreviewApiVersion_CallsV1PathWithPreviewQuery()
    {
        await using var azure = await AzureGateway.StartAsync("preview");
        azure.Upstream.RespondJson(AzureWire.Completion);

        using var response = await azure.ChatAsync();

        Assert.Equal("/openai/v1/chat/completions?api-version=preview", azure.Upstream.LastRequest.PathAndQuery);
    }

    [Fact]
    public async Task ApiBaseEndingInV1_UsesV1PathEvenWithDatedVersion()
    {
        await using var azure = await AzureGateway.StartAsync("2024-10-21", "/openai/v1");
        azure.Upstream.RespondJson(AzureWire.Completion);

        using var response = await azure.ChatAsync();

        Assert.Equal("/openai/v1/chat/completions", azure.Upstream.LastRequest.PathAndQuery);
        using var body = azure.Upstream.LastRequest.Json();
        Assert.Equal(AzureWire.Deployment, body.RootElement.GetProperty("model").GetString());
    }

    [Fact]
    public async Task DeploymentNameWithReservedCharacters_IsEscapedInPath()
    {
        await using var azure = await AzureGateway.StartAsync("2024-10-21", deployment: "team a/gpt#1");
        azure.Upstream.RespondJson(AzureWire.Completion);

        using var response = await azure.ChatAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("/openai/deployments/team%20a%2Fgpt%231/chat/completions?api-version=2024-10-21", azure.Upstream.LastRequest.PathAndQuery);
    }

    [Theory]
    [InlineData("2024-10-21")]
    [InlineData("v1")]
    public async Task AnyScheme_SendsKeyInApiKeyHeaderAndNoAuthorization(string version)
    {
        await using var azure = await AzureGateway.StartAsync(version);
        azure.Upstream.RespondJson(AzureWire.Completion);

        using var response = await azure.ChatAsync();

        var headers = azure.Upstream.LastRequest.Headers;
        Assert.Equal(AzureWire.Key, headers["api-key"]);
        Assert.False(headers.ContainsKey("authorization"));
        Assert.DoesNotContain(TestGateway.MasterKey, string.Join("\n", headers.Values), StringComparison.Ordinal);
    }

    [Fact]
    public async Task DatedApiVersion_ForwardsClientBodyUnchanged()
    {
        await using var azure = await AzureGateway.StartAsync("2024-10-21");
        azure.Upstream.RespondJson(AzureWire.Completion);
        const string body = """{"model":"my-azure","messages":[{"role":"user","content":"Grüß mich"}],"temperature":0.3,"seed":7}""";

        using var response = await azure.Gateway.PostJsonAsync("/v1/chat/completions", body);

        Assert.Equal(body, Encoding.UTF8.GetString(azure.Upstream.LastRequest.Body));
    }

    [Fact]
    public async Task V1ApiVersion_SendsDeploymentAsBodyModel()
    {
        await using var azure = await AzureGateway.StartAsync("v1");
        azure.Upstream.RespondJson(AzureWire.Completion);

        using var response = await azure.ChatAsync(""","temperature":0.3""");

        using var body = azure.Upstream.LastRequest.Json();
        Assert.Equal(AzureWire.Deployment, body.RootElement.GetProperty("model").GetString());
        Assert.Equal(0.3, body.RootElement.GetProperty("temperature").GetDouble());
    }

    [Theory]
    [InlineData("2024-10-21", true)]
    [InlineData("2025-04-01-preview", true)]
    [InlineData("2024-09-01-preview", true)]
    [InlineData("v1", true)]
    [InlineData("2024-06-01", false)]
    [InlineData("2024-02-15-preview", false)]
    public async Task StreamWithoutClientUsage_RequestsUsageOnlyWhereApiVersionAcceptsIt(string version, bool expected)
    {
        await using var azure = await AzureGateway.StartAsync(version);
        azure.Upstream.RespondStream([AzureWire.Stream(withUsage: expected)]);

        using var response = await azure.ChatAsync(""","stream":true""");
        await response.Content.ReadAsStringAsync();

        using var body = azure.Upstream.LastRequest.Json();
        var asked = body.RootElement.TryGetProperty("stream_options", out var options)
            && options.GetProperty("include_usage").GetBoolean();
        Assert.Equal(expected, asked);
    }
}

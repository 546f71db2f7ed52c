using EdgeGw.Tests.Infrastructure;

namespace EdgeGw.Tests.Providers.Azure;

/// <summary>A fake Azure resource and a gateway with one <c>azure/</c> deployment, model group <c>my-azure</c>.</summary>
internal sealed class AzureGateway : IAsyncDisposable
{
    public const string Group = "my-azure";

    private AzureGateway(FakeUpstream upstream, TestGateway gateway)
    {
        Upstream = upstream;
        Gateway = gateway;
    }

    public FakeUpstream Upstream { get; }
    public TestGateway Gateway { get; }

    /// <param name="apiBaseSuffix">Appended to the fake's root, e.g. <c>/openai</c>.</param>
    /// <param name="apiVersion">Null leaves <c>api_version</c> out of the config.</param>
    public static async Task<AzureGateway> StartAsync(string? apiVersion = "2024-10-21", string apiBaseSuffix = "", string deployment = AzureWire.Deployment)
    {
        var upstream = await FakeUpstream.StartAsync();
        var version = apiVersion is null ? "" : $"\n    api_version: {apiVersion}";
        var gateway = await TestGateway.StartAsync($"""
            - model_name: {Group}
              litellm_params:
                model: azure/{deployment}
                api_base: {upstream.Url}{apiBaseSuffix}
                api_key: {AzureWire.Key}{version}
            """);
        return new AzureGateway(upstream, gateway);
    }

    public Task<HttpResponseMessage> ChatAsync(string extraJson = "") =>
        Gateway.PostJsonAsync("/v1/chat/completions",
            $$"""{"model":"{{Group}}","messages":[{"role":"user","content":"Grüß mich"}]{{extraJson}}}""");

    public async ValueTask DisposeAsync()
    {
        await Gateway.DisposeAsync();
        await Upstream.DisposeAsync();
    }
}

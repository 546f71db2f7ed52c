using EdgeGw.Config;
using EdgeGw.Providers;
using EdgeGw.Routing;
using EdgeGw.Upstream;

namespace EdgeGw.Tests.Routing;

/// <summary>Model lookup stays allocation-free per request with wildcards and aliases configured.</summary>
public sealed class ModelLookupAllocationTests
{
    [Fact]
    public void ExactAliasAndKnownWildcardNames_AllocateNothing()
    {
        var config = ConfigLoader.Parse("""
            model_list:
              - model_name: gpt-4o
                litellm_params: { model: gpt-4o, api_key: sk-x }
              - model_name: "*"
                litellm_params: { model: "*", api_key: sk-x }
              - model_name: "openai/*"
                litellm_params: { model: "openai/*", api_key: sk-x }
            router_settings:
              model_group_alias: { gpt-4: gpt-4o }
            general_settings: { master_key: sk-m }
            """, _ => null);
        using var clients = new UpstreamClients();
        var registry = ModelRegistry.Build(config, new ChatEndpointFactory(config, clients, TimeProvider.System));
        Assert.True(registry.TryFind("claude-haiku-4-5", out var first)); // built once, then remembered
        var found = 0;

        var allocated = Api.HotPathAllocationTests.AllocatedBy(() =>
        {
            found += registry.TryFind("gpt-4o".AsSpan(), out _) ? 1 : 0;
            found += registry.TryFind("gpt-4".AsSpan(), out _) ? 1 : 0;
            found += registry.TryFind("claude-haiku-4-5".AsSpan(), out var again) && ReferenceEquals(again, first) ? 1 : 0;
        });

        Assert.Equal(3 * 12_000, found);
        Assert.Equal(0, allocated);
    }
}

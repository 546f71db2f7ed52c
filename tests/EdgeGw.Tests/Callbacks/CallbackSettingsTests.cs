using EdgeGw.Config;

namespace EdgeGw.Tests.Callbacks;

/// <summary>LiteLLM's generic_api callback config: <c>callback_settings.&lt;name&gt;</c> and its environment form.</summary>
public sealed class CallbackSettingsTests
{
    private const string Models = """
        model_list:
          - model_name: gpt-4o
            litellm_params: { model: openai/gpt-4o, api_key: sk-test }
        general_settings:
          master_key: sk-master
        """;

    internal static GatewayConfig Parse(string yaml, Dictionary<string, string>? env = null) =>
        ConfigLoader.Parse(Models + "\n" + yaml, name => env?.GetValueOrDefault(name));

    [Fact]
    public void DocumentedGenericApiConfig_ReadsEndpointHeadersAndBothEvents()
    {
        var config = Parse("""
            litellm_settings:
              callbacks: ["custom_api_name"]
            callback_settings:
              custom_api_name:
                callback_type: generic_api
                endpoint: https://your-endpoint.com/logs
                headers:
                  Authorization: Bearer os.environ/LOG_TOKEN
                  X-Team: ml
            """);

        var hook = Assert.Single(config.Callbacks!.GenericApi);
        Assert.Equal("custom_api_name", hook.Name);
        Assert.Equal("https://your-endpoint.com/logs", hook.Endpoint.ToString());
        Assert.Equal(["Authorization", "X-Team"], hook.Headers.Select(h => h.Key));
        Assert.True(hook.OnSuccess && hook.OnFailure);
        Assert.Equal(GenericLogFormat.JsonArray, hook.Format);
        Assert.Empty(config.Deferred);
        Assert.Empty(config.IgnoredKeys);
    }

    [Fact]
    public void GenericApiFromEnvironment_UsesLoggerEndpointAndHeaders()
    {
        var config = Parse("""
            litellm_settings:
              success_callback: ["generic_api"]
            """, new() { ["GENERIC_LOGGER_ENDPOINT"] = "http://127.0.0.1:9/log", ["GENERIC_LOGGER_HEADERS"] = "Authorization=Bearer x,X-A=b" });

        var hook = Assert.Single(config.Callbacks!.GenericApi);
        Assert.Equal(["Authorization: Bearer x", "X-A: b"], hook.Headers.Select(h => $"{h.Key}: {h.Value}"));
        Assert.True(hook.OnSuccess);
        Assert.False(hook.OnFailure);
    }

    [Fact]
    public void EventTypesFailureOnly_SendsNoSuccesses()
    {
        var config = Parse("""
            litellm_settings:
              callbacks: ["hook"]
            callback_settings:
              hook: { callback_type: generic_api, endpoint: "http://127.0.0.1:9/", event_types: [llm_api_failure], log_format: ndjson }
            """);

        var hook = Assert.Single(config.Callbacks!.GenericApi);
        Assert.False(hook.OnSuccess);
        Assert.True(hook.OnFailure);
        Assert.Equal(GenericLogFormat.Ndjson, hook.Format);
    }

    [Fact]
    public void GenericApiWithoutEndpoint_FailsNamingTheKey()
    {
        var e = Assert.Throws<ConfigException>(() => Parse("""
            litellm_settings:
              callbacks: ["hook"]
            callback_settings:
              hook: { callback_type: generic_api }
            """));

        Assert.Equal("callback_settings.hook.endpoint", e.KeyPath);
    }

    [Fact]
    public void DatadogBesideGenericApi_OnlyDatadogIsWarnedAsNotSent()
    {
        var config = Parse("""
            litellm_settings:
              success_callback: ["datadog", "hook"]
            callback_settings:
              hook: { callback_type: generic_api, endpoint: "http://127.0.0.1:9/" }
            """);

        var deferred = Assert.Single(config.Deferred);
        Assert.Equal(DeferredFeatureKind.Callbacks, deferred.Kind);
        Assert.Equal("datadog", deferred.Detail);
    }
}

using System.Text;
using EdgeGw.Routing;

namespace EdgeGw.Tests.Routing;

public sealed class RoutingOptionsTests
{
    private static (string Body, RequestRoutingOptions Options) Extract(string json)
    {
        using var stripped = RequestRoutingOptions.Extract(Encoding.UTF8.GetBytes(json), anthropicMetadata: false, out var options);
        return (stripped is null ? json : Encoding.UTF8.GetString(stripped.WrittenSpan), options);
    }

    [Theory]
    [InlineData("""{"num_retries":3,"model":"m"}""", """{"model":"m"}""")]
    [InlineData("""{"model":"m", "num_retries": 3 }""", """{"model":"m" }""")]
    [InlineData("""{"fallbacks":["a"],"num_retries":3,"model":"m"}""", """{"model":"m"}""")]
    [InlineData("""{"fallbacks":["a"],"num_retries":3}""", """{}""")]
    [InlineData("""{"model":"m","messages":[{"content":"\"fallbacks\""}]}""", """{"model":"m","messages":[{"content":"\"fallbacks\""}]}""")]
    public void GatewayKeys_RemovedLeavingValidJson(string json, string expected)
    {
        var (body, _) = Extract(json);

        Assert.Equal(expected, body);
    }

    [Fact]
    public void Keys_Read()
    {
        var (_, options) = Extract("""{"model":"m","num_retries":4,"fallbacks":[{"m":["x","y"]}],"disable_fallbacks":true}""");

        Assert.Equal(4, options.NumRetries);
        Assert.Equal(["x", "y"], options.Fallbacks!.Value.ToArray());
        Assert.True(options.DisableFallbacks);
    }

    [Theory]
    [InlineData("""{"model":"m","metadata":{"a":1},"tags":["x"],"litellm_metadata":{},"timeout":5,"request_timeout":5}""", """{"model":"m"}""")]
    [InlineData("""{"model":"m","user":"u","mock_response":"hi","mock_tool_calls":[],"caching":true,"guardrails":[],"litellm_call_id":"c"}""", """{"model":"m","user":"u"}""")]
    [InlineData("""{"model":"m","context_window_fallback_dict":{"a":"b"},"messages":[{"role":"user","content":"metadata\" tags"}]}""", """{"model":"m","messages":[{"role":"user","content":"metadata\" tags"}]}""")]
    [InlineData("{\n  \"model\" : \"m\",\n  \"metadata\" : {\"a\": 1}\n}", "{\n  \"model\" : \"m\"\n}")]
    public void LiteLlmOnlyKeys_Removed(string json, string expected)
    {
        var (body, _) = Extract(json);

        Assert.Equal(expected, body);
    }

    [Fact]
    public void AnthropicBody_MetadataKeptAndItsUserIdIsTheEndUser()
    {
        const string json = """{"model":"m","metadata":{"user_id":"u1"},"litellm_metadata":{"tags":["t"]}}""";
        using var stripped = RequestRoutingOptions.Extract(Encoding.UTF8.GetBytes(json), anthropicMetadata: true, out var options);

        Assert.Equal("""{"model":"m","metadata":{"user_id":"u1"}}""", Encoding.UTF8.GetString(stripped!.WrittenSpan));
        Assert.Equal("u1", options.Attribution!.EndUser);
        Assert.Equal(["t"], options.Attribution.Tags.ToArray());
    }

    [Fact]
    public void EndUserAndTags_FollowLiteLlmPrecedence()
    {
        var (_, options) = Extract("""{"metadata":{"user_id":"from-metadata","tags":["m"]},"litellm_metadata":{"user":"from-litellm"},"user":"from-user","tags":["root"],"timeout":"2.5"}""");

        Assert.Equal("from-user", options.Attribution!.EndUser);
        Assert.Equal(["root"], options.Attribution.Tags.ToArray());
        Assert.Equal(TimeSpan.FromSeconds(2.5), options.Timeout);
    }

    [Fact]
    public void RoleUser_IsNotAnEndUser()
    {
        var (body, options) = Extract("""{"model":"m","messages":[{"role":"user","content":"hi"}]}""");

        Assert.Null(options.Attribution);
        Assert.Equal("""{"model":"m","messages":[{"role":"user","content":"hi"}]}""", body);
    }

    [Fact]
    public void NestedKeyOfSameName_Kept()
    {
        var (body, options) = Extract("""{"model":"m","response_format":{"num_retries":1}}""");

        Assert.Null(options.NumRetries);
        Assert.Equal("""{"model":"m","response_format":{"num_retries":1}}""", body);
    }
}

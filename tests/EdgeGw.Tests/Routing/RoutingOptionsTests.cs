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

    [Fact]
    public void NestedKeyOfSameName_Kept()
    {
        var (body, options) = Extract("""{"model":"m","response_format":{"num_retries":1}}""");

        Assert.Null(options.NumRetries);
        Assert.Equal("""{"model":"m","response_format":{"num_retries":1}}""", body);
    }
}

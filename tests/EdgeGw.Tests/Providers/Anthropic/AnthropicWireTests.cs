using EdgeGw.Providers.Anthropic;

namespace EdgeGw.Tests.Providers.Anthropic;

public sealed class AnthropicWireTests
{
    [Theory]
    [InlineData(null, "https://api.anthropic.com/v1/messages")]
    [InlineData("https://api.anthropic.com", "https://api.anthropic.com/v1/messages")]
    [InlineData("https://api.anthropic.com/", "https://api.anthropic.com/v1/messages")]
    [InlineData("https://proxy.example.com/anthropic/v1", "https://proxy.example.com/anthropic/v1/messages")]
    [InlineData("https://proxy.example.com/anthropic/v1/messages", "https://proxy.example.com/anthropic/v1/messages")]
    public void ApiBase_ResolvesToOneMessagesPath(string? apiBase, string expected) =>
        Assert.Equal(expected, AnthropicWire.MessagesUri(apiBase).ToString());

    [Theory]
    [InlineData("""{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}""", 503, "overloaded_error", "503")]
    [InlineData("""{"type":"error","error":{"type":"rate_limit_error","message":"slow"}}""", 429, "rate_limit_error", "429")]
    [InlineData("""{"type":"error","error":{"type":"invalid_request_error","message":"prompt is too long: 9 tokens > 8 maximum"}}""", 400, "invalid_request_error", "context_length_exceeded")]
    [InlineData("""{"type":"error","error":{"type":"something_new","message":"?"}}""", 500, "something_new", "500")]
    [InlineData("""not json""", 500, "api_error", "500")]
    public void StreamErrorEvent_MapsTypeToStatus(string data, int status, string type, string code)
    {
        var error = AnthropicErrorMapper.FromStreamEvent(System.Text.Encoding.UTF8.GetBytes(data), "claude", "sk-key");

        Assert.Equal((status, type, code), (error.Status, error.Type, error.Code));
    }
}

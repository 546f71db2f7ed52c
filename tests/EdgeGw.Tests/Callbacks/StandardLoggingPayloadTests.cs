using System.Buffers;
using System.Text.Json;
using EdgeGw.Observability.Callbacks;
using EdgeGw.Storage;

namespace EdgeGw.Tests.Callbacks;

/// <summary>The StandardLoggingPayload a callback receives, as LiteLLM writes it.</summary>
public sealed class StandardLoggingPayloadTests
{
    private static JsonElement Written(CallbackContent? content = null)
    {
        var row = CallbackRows.Success("req-1", DateTimeOffset.UnixEpoch.AddSeconds(2));
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
            new StandardLoggingPayloadWriter().Write(json, new CallbackEvent(row, null) { Content = content });
        return JsonDocument.Parse(buffer.WrittenMemory).RootElement.Clone();
    }

    [Fact]
    public void RedactedContent_MessagesAndResponseAreLiteLlmsRedactedMarker()
    {
        var payload = Written(CallbackContent.RedactedByLiteLlm);

        var message = Assert.Single(payload.GetProperty("messages").EnumerateArray());
        Assert.Equal("user", message.GetProperty("role").GetString());
        Assert.Equal("redacted-by-litellm", message.GetProperty("content").GetString());
        Assert.Equal("redacted-by-litellm", payload.GetProperty("response").GetProperty("text").GetString());
    }

    [Fact]
    public void AnswerNotJson_ResponseIsNullAndPayloadStaysValid()
    {
        var payload = Written(new CallbackContent { Messages = "[]"u8.ToArray(), Response = "not json"u8.ToArray() });

        Assert.Equal(JsonValueKind.Array, payload.GetProperty("messages").ValueKind);
        Assert.Equal(JsonValueKind.Null, payload.GetProperty("response").ValueKind);
    }

    [Fact]
    public void NonStreamedAnswer_TimesAreEpochSecondsAndCompletionStartIsTheEnd()
    {
        var payload = Written();

        Assert.Equal(0, payload.GetProperty("startTime").GetDouble());
        Assert.Equal(2, payload.GetProperty("endTime").GetDouble());
        Assert.Equal(2, payload.GetProperty("completionStartTime").GetDouble());
        Assert.Equal(2, payload.GetProperty("response_time").GetDouble());
        Assert.False(payload.GetProperty("stream").GetBoolean());
    }
}

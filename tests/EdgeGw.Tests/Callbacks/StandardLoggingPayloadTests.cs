using System.Buffers;
using System.Text.Json;
using EdgeGw.Observability.Callbacks;
using EdgeGw.Storage;

namespace EdgeGw.Tests.Callbacks;

/// <summary>The StandardLoggingPayload a callback receives, as LiteLLM writes it.</summary>
public sealed class StandardLoggingPayloadTests
{
    private static JsonElement Written(bool turnOffMessageLogging)
    {
        var row = CallbackRows.Success("req-1", DateTimeOffset.UnixEpoch.AddSeconds(2));
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
            new StandardLoggingPayloadWriter(turnOffMessageLogging).Write(json, new CallbackEvent(row, null));
        return JsonDocument.Parse(buffer.WrittenMemory).RootElement.Clone();
    }

    [Fact]
    public void TurnOffMessageLogging_MessagesAndResponseAreLiteLlmsRedactedMarker()
    {
        var payload = Written(turnOffMessageLogging: true);

        Assert.StartsWith("redacted by litellm", payload.GetProperty("messages").GetString(), StringComparison.Ordinal);
        Assert.StartsWith("redacted by litellm", payload.GetProperty("response").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void NonStreamedAnswer_TimesAreEpochSecondsAndCompletionStartIsTheEnd()
    {
        var payload = Written(turnOffMessageLogging: false);

        Assert.Equal(0, payload.GetProperty("startTime").GetDouble());
        Assert.Equal(2, payload.GetProperty("endTime").GetDouble());
        Assert.Equal(2, payload.GetProperty("completionStartTime").GetDouble());
        Assert.Equal(2, payload.GetProperty("response_time").GetDouble());
        Assert.False(payload.GetProperty("stream").GetBoolean());
    }
}

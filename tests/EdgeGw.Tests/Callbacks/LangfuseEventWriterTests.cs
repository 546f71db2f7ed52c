using System.Buffers;
using System.Text;
using System.Text.Json;
using EdgeGw.Observability.Callbacks;
using EdgeGw.Observability.Callbacks.Langfuse;
using EdgeGw.Spend;
using EdgeGw.Storage;

namespace EdgeGw.Tests.Callbacks;

/// <summary>A request's input and output in its Langfuse events, as LiteLLM's Langfuse logger shows them.</summary>
public sealed class LangfuseEventWriterTests
{
    private const string Messages = """[{"role":"user","content":"what is 2+2?"}]""";
    private const string Answer = """{"id":"c1","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"4"},"finish_reason":"stop"}]}""";

    private static (JsonElement Trace, JsonElement Generation) Written(CallbackContent? content, string? requesterMetadata = null, string? release = null)
    {
        var row = CallbackRows.Success("req-1", DateTimeOffset.UnixEpoch.AddSeconds(2)) with
        {
            Attribution = requesterMetadata is null ? null : new RequestAttribution { RequesterMetadata = requesterMetadata },
        };
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartArray();
            new LangfuseEventWriter(release).Write(json, new CallbackEvent(row, null) { Content = content });
            json.WriteEndArray();
        }
        var events = JsonDocument.Parse(buffer.WrittenMemory).RootElement.Clone();
        return (events[0].GetProperty("body"), events[1].GetProperty("body"));
    }

    private static CallbackContent Content(bool redacted = false) => new()
    {
        Messages = Encoding.UTF8.GetBytes(Messages),
        Response = Encoding.UTF8.GetBytes(Answer),
        Redacted = redacted,
    };

    [Fact]
    public void CapturedContent_InputIsTheMessagesAndOutputTheFirstChoicesMessage()
    {
        var (trace, generation) = Written(Content());

        foreach (var body in (JsonElement[])[trace, generation])
        {
            Assert.Equal("what is 2+2?", body.GetProperty("input").GetProperty("messages")[0].GetProperty("content").GetString());
            Assert.Equal("4", body.GetProperty("output").GetProperty("content").GetString());
            Assert.Equal("assistant", body.GetProperty("output").GetProperty("role").GetString());
        }
    }

    [Fact]
    public void ResponsesApiAnswer_OutputIsItsOutputItems()
    {
        var (_, generation) = Written(new CallbackContent
        {
            Messages = Encoding.UTF8.GetBytes("\"what is 2+2?\""),
            Response = Encoding.UTF8.GetBytes("""{"id":"resp_1","object":"response","output":[{"type":"message","role":"assistant","content":[{"type":"output_text","text":"4"}]}]}"""),
        });

        Assert.Equal("4", generation.GetProperty("output")[0].GetProperty("content")[0].GetProperty("text").GetString());
    }

    [Fact]
    public void RedactedContent_InputAndOutputAreLiteLlmsMarker()
    {
        var (trace, generation) = Written(Content(redacted: true));

        foreach (var body in (JsonElement[])[trace, generation])
        {
            Assert.Equal("redacted-by-litellm", body.GetProperty("input").GetProperty("messages")[0].GetProperty("content").GetString());
            Assert.Equal("redacted-by-litellm", body.GetProperty("output").GetProperty("content").GetString());
            Assert.DoesNotContain("2+2", body.GetRawText(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void NoContent_InputAndOutputAreNull()
    {
        var (trace, generation) = Written(null);

        Assert.Equal(JsonValueKind.Null, trace.GetProperty("input").ValueKind);
        Assert.Equal(JsonValueKind.Null, generation.GetProperty("output").ValueKind);
    }

    [Fact]
    public void MaskOutputInMetadata_OutputRedactedInputKept()
    {
        var (_, generation) = Written(Content(), """{"mask_output":true}""");

        Assert.Equal("what is 2+2?", generation.GetProperty("input").GetProperty("messages")[0].GetProperty("content").GetString());
        Assert.Equal("redacted-by-litellm", generation.GetProperty("output").GetProperty("content").GetString());
    }

    [Fact]
    public void NonStreamedAnswer_TimesAreIsoUtcAndCompletionStartIsTheEnd()
    {
        var (trace, generation) = Written(null);

        Assert.Equal("1970-01-01T00:00:00+00:00", generation.GetProperty("startTime").GetString());
        Assert.Equal("1970-01-01T00:00:02+00:00", generation.GetProperty("endTime").GetString());
        Assert.Equal("1970-01-01T00:00:02+00:00", generation.GetProperty("completionStartTime").GetString());
        Assert.Equal("req-1", trace.GetProperty("id").GetString());
        Assert.Equal("time-00-00-00-000000_req-1", generation.GetProperty("id").GetString());
    }

    [Fact]
    public void LangfuseRelease_IsTheTracesReleaseUnlessTheRequestNamesOne()
    {
        var (byDefault, _) = Written(null, release: "2026.12");
        var (named, _) = Written(null, """{"trace_release":"hotfix"}""", release: "2026.12");

        Assert.Equal("2026.12", byDefault.GetProperty("release").GetString());
        Assert.Equal("hotfix", named.GetProperty("release").GetString());
    }
}

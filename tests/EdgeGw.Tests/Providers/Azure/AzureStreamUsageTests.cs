using System.Text;
using EdgeGw.Buffers;
using EdgeGw.Providers.OpenAi;
using EdgeGw.Streaming;

namespace EdgeGw.Tests.Providers.Azure;

/// <summary>The relay over Azure's stream bytes directly, where the captured usage is visible.</summary>
public sealed class AzureStreamUsageTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void AzureStream_UsageCapturedFromUsageChunkOnly(bool clientWantsUsage)
    {
        var (relay, output) = Relay(AzureWire.Stream(), clientWantsUsage);

        Assert.True(relay.Usage.Present);
        Assert.Equal(14, relay.Usage.PromptTokens);
        Assert.Equal(9, relay.Usage.CompletionTokens);
        Assert.Equal(4, relay.Usage.CachedTokens);
        Assert.Null(relay.Error);
        Assert.Equal(clientWantsUsage, output.Contains("\"usage\"", StringComparison.Ordinal));
    }

    [Fact]
    public void AzureStreamWithoutUsageChunk_ReportsNoUsageAndForwardsPromptFilterChunk()
    {
        var (relay, output) = Relay(AzureWire.Stream(withUsage: false), clientWantsUsage: false);

        Assert.False(relay.Usage.Present);
        Assert.Null(relay.Error);
        Assert.StartsWith("data: {\"choices\":[],\"created\":0,\"id\":\"\",\"model\":\"my-azure\",\"object\":\"\",\"prompt_filter_results\":", output, StringComparison.Ordinal);
        Assert.EndsWith("data: [DONE]\n\n", output, StringComparison.Ordinal);
    }

    private static (OpenAiStreamRelay Relay, string Output) Relay(string stream, bool clientWantsUsage)
    {
        using var parser = new SseParser();
        using var output = new PooledBufferWriter();
        var relay = new OpenAiStreamRelay("\"my-azure\""u8.ToArray(), clientWantsUsage, "my-azure");
        var buffer = new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(stream));
        while (parser.TryRead(ref buffer, out var sseEvent) && relay.OnEvent(sseEvent, output))
        {
        }
        relay.OnEnd(output);
        return (relay, Encoding.UTF8.GetString(output.WrittenSpan));
    }
}

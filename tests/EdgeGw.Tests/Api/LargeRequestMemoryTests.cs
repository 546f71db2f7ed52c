using System.Buffers;
using System.IO.Pipelines;
using EdgeGw.Api;
using EdgeGw.Buffers;
using EdgeGw.Config;
using EdgeGw.Providers.Anthropic;
using EdgeGw.Providers.Ollama;
using EdgeGw.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Xunit.Abstractions;

namespace EdgeGw.Tests.Api;

/// <summary>
/// A large prompt costs a small multiple of its size and nothing after: before, one 8 MB prompt to
/// an <c>anthropic/</c> deployment allocated ~250 MB (the prompt decoded to a string, re-escaped
/// through a 6x buffer) and left ~235 MB in the shared array pool.
/// Runs alone: its large allocations force gen-2 collections, which trim the shared array pool
/// under other tests' zero-allocation measurements.
/// </summary>
[Collection(nameof(LargeRequestMemoryTests))]
public sealed class LargeRequestMemoryTests(ITestOutputHelper output)
{
    private const int Megabyte = 1 << 20;

    /// <summary>Read (as Kestrel hands it over), parse and translate for Anthropic; returns the upstream body's length.</summary>
    private static int ReadAndTranslate(byte[] request) => ReadAndTranslate(request, (body, upstream) =>
    {
        var translation = AnthropicRequestTranslator.Translate(body, new AnthropicRequestOptions("claude-sonnet-4-5", null, false, false), upstream);
        Assert.Null(translation.Error);
    });

    /// <summary>Read and parse as the gateway does, then <paramref name="translate"/>; returns the upstream body's length.</summary>
    private static int ReadAndTranslate(byte[] request, Action<ReadOnlyMemory<byte>, PooledBufferWriter> translate)
    {
        var context = new DefaultHttpContext();
        context.Request.ContentLength = request.Length;
        context.Features.Set<IRequestBodyPipeFeature>(new BodyPipe(PipeReader.Create(new ReadOnlySequence<byte>(request))));
        var read = RequestBodyReader.ReadAsync(context, 64L * Megabyte);
        Assert.True(read.IsCompletedSuccessfully); // synchronous: every allocation is on this thread
        using var body = read.Result.Body!;
        Span<char> name = stackalloc char[ChatRequestParser.MaxModelNameChars];
        Assert.Null(ChatRequestParser.Parse(body.WrittenSpan, out _, name, out _));
        using var upstream = new PooledBufferWriter(body.WrittenCount + 512);
        translate(body.WrittenMemory, upstream);
        return upstream.WrittenCount;
    }

    [Fact]
    public void EightMegabytePromptToAnthropic_AllocatesAtMostThreeAndAHalfTimesTheBody()
    {
        var request = LargePrompt.ChatBody(8 * Megabyte);
        ReadAndTranslate(request); // warm-up: first-call JIT and statics

        var before = GC.GetAllocatedBytesForCurrentThread();
        var written = ReadAndTranslate(request);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.InRange(written, request.Length - 100, request.Length + 100); // the prompt went upstream, copied as escaped
        // The read body, the upstream body and one unescaped copy for the text check: 3x, plus slack.
        Assert.InRange(allocated, 0, request.Length * 7L / 2);
    }

    [Theory]
    [InlineData("ollama")]
    [InlineData("ollama_chat")]
    public void EightMegabytePromptToOllama_AllocatesAtMostThreeAndAHalfTimesTheBody(string provider)
    {
        var deployment = new Deployment { Index = 0, ModelName = "llama", Provider = provider, ModelId = "llama3", Id = "d0", ApiBase = "http://127.0.0.1:1" };
        var request = LargePrompt.ChatBody(8 * Megabyte);
        void Translate(ReadOnlyMemory<byte> body, PooledBufferWriter upstream) =>
            Assert.Null(OllamaRequestTranslator.Translate(body, deployment, provider == "ollama", false, upstream, []));
        ReadAndTranslate(request, Translate); // warm-up: first-call JIT and statics

        var before = GC.GetAllocatedBytesForCurrentThread();
        var written = ReadAndTranslate(request, Translate);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        output.WriteLine($"{provider}/: body {request.Length:N0} B, upstream {written:N0} B, allocated {allocated:N0} B ({allocated / (double)request.Length:F2}x)");
        Assert.InRange(written, request.Length - 100, request.Length + 100); // the prompt went upstream, copied as escaped
        // As for Anthropic: the read body, the upstream body and one unescaped copy for the text check.
        Assert.InRange(allocated, 0, request.Length * 7L / 2);
    }

    [Fact]
    public void EightMegabyteInputToOllamaEmbeddings_AllocatesAtMostTwoAndAHalfTimesTheBody()
    {
        var request = LargePrompt.EmbeddingBody(8 * Megabyte, "embed");
        int Translate()
        {
            Span<char> name = stackalloc char[ChatRequestParser.MaxModelNameChars];
            Assert.Null(EmbeddingRequest.Parse(request, out var parsed, name, out _));
            using var upstream = new PooledBufferWriter(request.Length + 256);
            Assert.Null(OllamaEmbeddings.WriteRequest(request, parsed, "nomic-embed-text", upstream, out _));
            return upstream.WrittenCount;
        }
        Translate(); // warm-up: first-call JIT and statics

        var before = GC.GetAllocatedBytesForCurrentThread();
        var written = Translate();
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        output.WriteLine($"ollama/ embeddings: body {request.Length:N0} B, upstream {written:N0} B, allocated {allocated:N0} B ({allocated / (double)request.Length:F2}x)");
        Assert.InRange(written, request.Length - 100, request.Length + 100); // the input went upstream, copied as escaped
        // The upstream body and one unescaped copy for the text check (the body itself is the caller's here).
        Assert.InRange(allocated, 0, request.Length * 5L / 2);
    }

    [Fact]
    public void BufferOverOneMegabyte_IsNotKeptByThePool()
    {
        var large = BufferPool.Rent(BufferPool.MaxPooledLength + 1);
        BufferPool.Return(large);

        // The shared pool would hand the same array back to this thread; a large one must be left to the GC.
        var again = BufferPool.Rent(BufferPool.MaxPooledLength + 1);
        Assert.NotSame(large, again);
        Assert.Equal(BufferPool.MaxPooledLength + 1, again.Length); // exact size: no rounding up to a power of two
    }

    private sealed class BodyPipe(PipeReader reader) : IRequestBodyPipeFeature
    {
        public PipeReader Reader { get; } = reader;
    }
}

[CollectionDefinition(nameof(LargeRequestMemoryTests), DisableParallelization = true)]
public sealed class LargeRequestMemoryCollection;

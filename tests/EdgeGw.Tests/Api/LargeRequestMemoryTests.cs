using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using EdgeGw.Api;
using EdgeGw.Buffers;
using EdgeGw.Providers.Anthropic;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace EdgeGw.Tests.Api;

/// <summary>
/// A large prompt costs a small multiple of its size and nothing after: before, one 8 MB prompt to
/// an <c>anthropic/</c> deployment allocated ~250 MB (the prompt decoded to a string, re-escaped
/// through a 6x buffer) and left ~235 MB in the shared array pool.
/// Runs alone: its large allocations force gen-2 collections, which trim the shared array pool
/// under other tests' zero-allocation measurements.
/// </summary>
[Collection(nameof(LargeRequestMemoryTests))]
public sealed class LargeRequestMemoryTests
{
    private const int Megabyte = 1 << 20;

    /// <summary>An OpenAI chat body whose user message is <paramref name="size"/> bytes of escaped prompt.</summary>
    internal static byte[] ChatBody(int size)
    {
        const string Line = "A line of a long prompt, with \\\"quotes\\\", caf\\u00e9 and a newline.\\n";
        var text = new StringBuilder(size + 256);
        text.Append("""{"model":"claude","max_tokens":64,"messages":[{"role":"system","content":"Be brief."},{"role":"user","content":""");
        text.Append('"');
        while (text.Length < size)
            text.Append(Line);
        text.Append("\"}]}");
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    /// <summary>Read (as Kestrel hands it over), parse and translate for Anthropic; returns the upstream body's length.</summary>
    private static int ReadAndTranslate(byte[] request)
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
        var translation = AnthropicRequestTranslator.Translate(body.WrittenMemory, new AnthropicRequestOptions("claude-sonnet-4-5", null, false, false), upstream);
        Assert.Null(translation.Error);
        return upstream.WrittenCount;
    }

    [Fact]
    public void EightMegabytePromptToAnthropic_AllocatesAtMostThreeAndAHalfTimesTheBody()
    {
        var request = ChatBody(8 * Megabyte);
        ReadAndTranslate(request); // warm-up: first-call JIT and statics

        var before = GC.GetAllocatedBytesForCurrentThread();
        var written = ReadAndTranslate(request);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.InRange(written, request.Length - 100, request.Length + 100); // the prompt went upstream, copied as escaped
        // The read body, the upstream body and one unescaped copy for the text check: 3x, plus slack.
        Assert.InRange(allocated, 0, request.Length * 7L / 2);
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

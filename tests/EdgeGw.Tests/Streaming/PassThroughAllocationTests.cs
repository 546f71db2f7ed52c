using Xunit.Abstractions;
using System.Text;
using EdgeGw.Buffers;
using EdgeGw.Providers.OpenAi;
using EdgeGw.Streaming;

namespace EdgeGw.Tests.Streaming;

/// <summary>
/// The OpenAI pass-through hot path (parse an event, scan it, splice the model, write it) must not
/// allocate per event: a regression fails here, without waiting for a BenchmarkDotNet run.
/// </summary>
public sealed class PassThroughAllocationTests(ITestOutputHelper log)
{
    private const int Events = 5000;
    private static readonly byte[] ModelJson = "\"my-gpt\""u8.ToArray();

    private static byte[] Stream()
    {
        var sb = new StringBuilder();
        for (var i = 0; i < Events; i++)
            sb.Append("data: {\"id\":\"chatcmpl-alloc\",\"object\":\"chat.completion.chunk\",\"created\":1763790000,\"model\":\"gpt-x\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\" tök")
              .Append(i).Append(" 🌸\"},\"logprobs\":null,\"finish_reason\":null}],\"usage\":null}\n\n");
        sb.Append("data: {\"id\":\"chatcmpl-alloc\",\"object\":\"chat.completion.chunk\",\"created\":1763790000,\"model\":\"gpt-x\",\"choices\":[],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":5000,\"total_tokens\":5005}}\n\n");
        sb.Append("data: [DONE]\n\n");
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    /// <summary>
    /// Below one object per event (24 B × 5,002 ≈ 120 KB), with room for the one 8 KB buffer the
    /// shared pool may have to re-create when a parallel test's gen-2 collection trimmed it.
    /// </summary>
    private const long NoPerEventAllocation = 16 * 1024;

    [Theory]
    [InlineData(0)] // one contiguous buffer
    [InlineData(4096)] // segments as a socket read would deliver them: lines cross segment ends
    [InlineData(61)]
    public void SteadyStateRelay_AllocatesNothingPerEvent(int segmentSize)
    {
        var stream = Stream();
        var input = segmentSize == 0 ? new ReadOnlySequence<byte>(stream) : Segmented(stream, segmentSize);
        using var output = new PooledBufferWriter(stream.Length + 1024);
        using var parser = new SseParser();

        Run(parser, input, output); // warm-up: JIT, pooled buffers at their working size
        var relay = new OpenAiStreamRelay(ModelJson, clientWantsUsage: false, "alloc");
        output.Reset();

        var before = GC.GetAllocatedBytesForCurrentThread();
        var events = Relay(parser, relay, input, output);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        log.WriteLine($"segment {segmentSize}: {allocated} B for {events} events");
        Assert.Equal(Events + 2, events);
        Assert.True(relay.Usage.Present);
        Assert.Null(relay.Error);
        Assert.True(allocated < NoPerEventAllocation, $"{allocated} bytes for {events} events ({(double)allocated / events:0.###} B/event)");
    }

    [Fact]
    public void AbandonedStreamDrain_AllocatesNothingPerEventAndCountsTheText()
    {
        var input = new ReadOnlySequence<byte>(Stream());
        using var parser = new SseParser();
        using var sink = new DiscardingWriter();
        Relay(parser, new OpenAiStreamRelay(ModelJson, clientWantsUsage: false, "alloc"), input, sink); // warm-up
        var relay = new OpenAiStreamRelay(ModelJson, clientWantsUsage: false, "alloc");

        var before = GC.GetAllocatedBytesForCurrentThread();
        var events = Relay(parser, relay, input, sink);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        log.WriteLine($"drain: {allocated} B for {events} events");
        Assert.True(allocated < NoPerEventAllocation, $"{allocated} bytes for {events} events");
        Assert.True(relay.Usage.Present);
        var text = Enumerable.Range(0, Events).Sum(i => Encoding.UTF8.GetByteCount($" tök{i} 🌸"));
        Assert.Equal(text, relay.GeneratedBytes);
    }

    private static void Run(SseParser parser, ReadOnlySequence<byte> input, PooledBufferWriter output)
    {
        output.Reset();
        Relay(parser, new OpenAiStreamRelay(ModelJson, clientWantsUsage: false, "alloc"), input, output);
    }

    private static int Relay(SseParser parser, OpenAiStreamRelay relay, ReadOnlySequence<byte> input, IBufferWriter<byte> output)
    {
        var events = 0;
        var buffer = input;
        while (parser.TryRead(ref buffer, out var sseEvent))
        {
            events++;
            if (!relay.OnEvent(sseEvent, output))
                break;
        }
        return events;
    }

    internal static ReadOnlySequence<byte> Segmented(byte[] bytes, int size)
    {
        Segment? first = null, last = null;
        for (var at = 0; at < bytes.Length; at += size)
        {
            var memory = bytes.AsMemory(at, Math.Min(size, bytes.Length - at));
            last = last is null ? first = new Segment(memory, 0) : last.Append(memory);
        }
        return new ReadOnlySequence<byte>(first!, 0, last!, last!.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}

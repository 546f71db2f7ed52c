using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using BenchmarkDotNet.Attributes;
using EdgeGw.Upstream;
using EdgeGw.Upstream.Http1;

namespace EdgeGw.Bench;

/// <summary>
/// The Pipelines upstream client's per-request steps: the request written (pre-encoded head, Content-Length,
/// spliced body) into a PipeWriter, an OpenAI answer's head parsed, and one SSE event's chunk decoded and
/// read off the pipe as a relayed stream reads it (must allocate nothing).
/// </summary>
public class Http1ClientBenchmarks
{
    private static readonly byte[] Body = Encoding.UTF8.GetBytes("""{"model":"gpt","messages":[{"role":"user","content":"Say hello in one short sentence."}]}""");
    private static readonly ReadOnlyMemory<byte> ModelId = "\"gpt-4o-mini\""u8.ToArray();
    private static readonly byte[] OpenAiHead = Encoding.ASCII.GetBytes(
        "HTTP/1.1 200 OK\r\nDate: Tue, 01 Dec 2026 12:00:00 GMT\r\nContent-Type: application/json\r\nContent-Length: 265\r\nConnection: keep-alive\r\n"
        + "access-control-expose-headers: X-Request-ID\r\nopenai-organization: user-abc\r\nopenai-processing-ms: 312\r\nopenai-version: 2020-10-01\r\n"
        + "x-ratelimit-limit-requests: 10000\r\nx-ratelimit-limit-tokens: 2000000\r\nx-ratelimit-remaining-requests: 9999\r\nx-ratelimit-remaining-tokens: 1999985\r\n"
        + "x-ratelimit-reset-requests: 6ms\r\nx-ratelimit-reset-tokens: 0s\r\nx-request-id: req_0123456789abcdef\r\nServer: cloudflare\r\n\r\n");
    private static readonly byte[] ChunkedHead = Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n");
    private static readonly byte[] EventChunk = Chunk(
        "data: {\"id\":\"chatcmpl-load\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\" Hello\"},\"logprobs\":null,\"finish_reason\":null}]}\n\n");

    private readonly Pipe _requests = new(new PipeOptions(pauseWriterThreshold: 0));
    private readonly Pipe _answers = new(new PipeOptions(pauseWriterThreshold: 0));
    private readonly Http1ResponseHead _head = new();
    private readonly byte[] _read = new byte[8192];
    private Http1RequestHead _requestHead = null!;
    private Http1BodyStream _stream = null!;
    private ReadOnlySequence<byte> _openAiHead;

    [GlobalSetup]
    public void Setup()
    {
        _requestHead = Http1RequestHead.TryCreate(new Uri("http://127.0.0.1:19100/openai/v1/chat/completions"),
            [new("Authorization", "Bearer sk-upstream-0123456789abcdef")])!;
        _openAiHead = new ReadOnlySequence<byte>(OpenAiHead);
        _stream = new Http1BodyStream(_answers.Reader);
        var chunked = new Http1ResponseHead();
        chunked.TryParse(new ReadOnlySequence<byte>(ChunkedHead));
        _stream.Reset(chunked);
    }

    [Benchmark]
    public long RequestWrite()
    {
        var body = new SplicedBody(Body, new Splice(9, 5, ModelId), Splice.None);
        var writer = _requests.Writer;
        _requestHead.Write(writer, body.Length, null, null);
        body.WriteTo(writer);
        writer.FlushAsync().GetAwaiter().GetResult();
        _requests.Reader.TryRead(out var written);
        var length = written.Buffer.Length;
        _requests.Reader.AdvanceTo(written.Buffer.End);
        return length;
    }

    [Benchmark]
    public int ResponseHeadParse()
    {
        _head.TryParse(_openAiHead);
        return _head.Status + _head.Count;
    }

    [Benchmark]
    public int RelayPerChunk()
    {
        _answers.Writer.Write(EventChunk);
        _answers.Writer.FlushAsync().GetAwaiter().GetResult();
        return _stream.ReadAsync(_read).GetAwaiter().GetResult();
    }

    private static byte[] Chunk(string data)
    {
        var bytes = Encoding.UTF8.GetBytes(data);
        return [.. Encoding.ASCII.GetBytes($"{bytes.Length:x}\r\n"), .. bytes, .. "\r\n"u8];
    }
}

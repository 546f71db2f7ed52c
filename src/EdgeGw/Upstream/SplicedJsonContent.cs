using System.Net;
using System.Net.Http.Headers;

namespace EdgeGw.Upstream;

/// <summary>A replacement of <c>Length</c> bytes at <c>Start</c> in the client's body.</summary>
internal readonly record struct Splice(int Start, int Length, ReadOnlyMemory<byte> Replacement)
{
    public static readonly Splice None = new(int.MaxValue, 0, ReadOnlyMemory<byte>.Empty);
}

/// <summary>
/// The client's JSON body sent upstream with at most two spliced edits (the model id, the usage
/// request), written straight from the client's buffer: no parse-and-reserialise of the rest.
/// </summary>
internal sealed class SplicedJsonContent : HttpContent
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");
    private readonly ReadOnlyMemory<byte> _body;
    private readonly Splice _first;
    private readonly Splice _second;

    public SplicedJsonContent(ReadOnlyMemory<byte> body, Splice first, Splice second)
    {
        if (second.Start < first.Start)
            (first, second) = (second, first);
        _body = body;
        _first = first;
        _second = second;
        Headers.ContentType = Json;
    }

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        var position = 0;
        if (_first.Start <= _body.Length)
        {
            await stream.WriteAsync(_body[position.._first.Start], cancellationToken);
            await stream.WriteAsync(_first.Replacement, cancellationToken);
            position = _first.Start + _first.Length;
        }
        if (_second.Start <= _body.Length)
        {
            await stream.WriteAsync(_body[position.._second.Start], cancellationToken);
            await stream.WriteAsync(_second.Replacement, cancellationToken);
            position = _second.Start + _second.Length;
        }
        await stream.WriteAsync(_body[position..], cancellationToken);
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    private int Delta(Splice splice) => splice.Start <= _body.Length ? splice.Replacement.Length - splice.Length : 0;

    protected override bool TryComputeLength(out long length)
    {
        length = _body.Length + Delta(_first) + Delta(_second);
        return true;
    }
}

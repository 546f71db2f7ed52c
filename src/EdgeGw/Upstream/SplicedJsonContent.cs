using System.Net;
using System.Net.Http.Headers;

namespace EdgeGw.Upstream;

/// <summary>A replacement of <c>Length</c> bytes at <c>Start</c> in the client's body.</summary>
internal readonly record struct Splice(int Start, int Length, ReadOnlyMemory<byte> Replacement)
{
    public static readonly Splice None = new(int.MaxValue, 0, ReadOnlyMemory<byte>.Empty);

    public bool IsNone => Start == int.MaxValue;
}

/// <summary>
/// The client's JSON body sent upstream with a few spliced edits (the model id, the usage request,
/// a parameter renamed or dropped for the model), written straight from the client's buffer: no
/// parse-and-reserialise of the rest. Edits never overlap; an insertion sorts before an edit at its offset.
/// </summary>
internal sealed class SplicedJsonContent : HttpContent
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");
    private readonly ReadOnlyMemory<byte> _body;
    private readonly Splice _first;
    private readonly Splice _second;
    // Only requests whose parameters were edited for the model pay for an array.
    private readonly Splice[]? _all;

    public SplicedJsonContent(ReadOnlyMemory<byte> body, Splice first, Splice second, IReadOnlyList<Splice>? more = null)
    {
        if (second.Start < first.Start)
            (first, second) = (second, first);
        _body = body;
        _first = first;
        _second = second;
        if (more is { Count: > 0 })
        {
            var all = new List<Splice>(more.Count + 2);
            foreach (var splice in (ReadOnlySpan<Splice>)[first, second])
            {
                if (!splice.IsNone)
                    all.Add(splice);
            }
            all.AddRange(more);
            all.Sort(static (a, b) => a.Start != b.Start ? a.Start.CompareTo(b.Start) : a.Length.CompareTo(b.Length));
            _all = [.. all];
        }
        Headers.ContentType = Json;
    }

    private int Count => _all?.Length ?? 2;

    private Splice At(int index) => _all is { } all ? all[index] : index == 0 ? _first : _second;

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        var position = 0;
        for (var i = 0; i < Count; i++)
        {
            var splice = At(i);
            if (splice.Start > _body.Length)
                continue;
            await stream.WriteAsync(_body[position..splice.Start], cancellationToken);
            await stream.WriteAsync(splice.Replacement, cancellationToken);
            position = splice.Start + splice.Length;
        }
        await stream.WriteAsync(_body[position..], cancellationToken);
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override bool TryComputeLength(out long length)
    {
        length = _body.Length;
        for (var i = 0; i < Count; i++)
        {
            var splice = At(i);
            if (splice.Start <= _body.Length)
                length += splice.Replacement.Length - splice.Length;
        }
        return true;
    }
}

using System.Buffers;

namespace EdgeGw.Upstream;

/// <summary>A replacement of <c>Length</c> bytes at <c>Start</c> in the client's body.</summary>
internal readonly record struct Splice(int Start, int Length, ReadOnlyMemory<byte> Replacement)
{
    public static readonly Splice None = new(int.MaxValue, 0, ReadOnlyMemory<byte>.Empty);

    public bool IsNone => Start == int.MaxValue;
}

/// <summary>
/// The client's JSON body with a few spliced edits (the model id, the usage request, a parameter
/// renamed or dropped for the model), written straight from the client's buffer: no
/// parse-and-reserialise of the rest. Edits never overlap; an insertion sorts before an edit at its offset.
/// </summary>
internal readonly struct SplicedBody
{
    private readonly Splice _first;
    private readonly Splice _second;
    // Only requests whose parameters were edited for the model pay for an array.
    private readonly Splice[]? _all;

    public SplicedBody(ReadOnlyMemory<byte> body, Splice first, Splice second, IReadOnlyList<Splice>? more = null)
    {
        if (second.Start < first.Start)
            (first, second) = (second, first);
        Body = body;
        _first = first;
        _second = second;
        _all = null;
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
    }

    /// <summary>A body sent as it is.</summary>
    public SplicedBody(ReadOnlyMemory<byte> body) : this(body, Splice.None, Splice.None)
    {
    }

    public ReadOnlyMemory<byte> Body { get; }

    /// <summary>No edits: the bytes sent are <see cref="Body"/>.</summary>
    public bool IsPlain => _all is null && _first.IsNone && _second.IsNone;

    public int Count => _all?.Length ?? 2;

    public Splice At(int index) => _all is { } all ? all[index] : index == 0 ? _first : _second;

    public long Length
    {
        get
        {
            long length = Body.Length;
            for (var i = 0; i < Count; i++)
            {
                var splice = At(i);
                if (splice.Start <= Body.Length)
                    length += splice.Replacement.Length - splice.Length;
            }
            return length;
        }
    }

    /// <summary>Writes the edited body; each piece is copied once, into <paramref name="output"/>'s buffer.</summary>
    public void WriteTo(IBufferWriter<byte> output)
    {
        var body = Body.Span;
        var position = 0;
        for (var i = 0; i < Count; i++)
        {
            var splice = At(i);
            if (splice.Start > body.Length)
                continue;
            output.Write(body[position..splice.Start]);
            output.Write(splice.Replacement.Span);
            position = splice.Start + splice.Length;
        }
        output.Write(body[position..]);
    }
}

using System.Net;
using System.Net.Http.Headers;

namespace EdgeGw.Upstream;

/// <summary>A <see cref="SplicedBody"/> as HttpClient content (the HttpClient path: HTTPS, HTTP/2, forced by the switch).</summary>
internal sealed class SplicedJsonContent : HttpContent
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");
    private readonly SplicedBody _body;

    public SplicedJsonContent(ReadOnlyMemory<byte> body, Splice first, Splice second, IReadOnlyList<Splice>? more = null)
        : this(new SplicedBody(body, first, second, more))
    {
    }

    public SplicedJsonContent(SplicedBody body)
    {
        _body = body;
        Headers.ContentType = Json;
    }

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        var body = _body.Body;
        var position = 0;
        for (var i = 0; i < _body.Count; i++)
        {
            var splice = _body.At(i);
            if (splice.Start > body.Length)
                continue;
            await stream.WriteAsync(body[position..splice.Start], cancellationToken);
            await stream.WriteAsync(splice.Replacement, cancellationToken);
            position = splice.Start + splice.Length;
        }
        await stream.WriteAsync(body[position..], cancellationToken);
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override bool TryComputeLength(out long length)
    {
        length = _body.Length;
        return true;
    }
}

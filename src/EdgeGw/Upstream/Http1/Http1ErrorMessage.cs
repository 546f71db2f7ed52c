using System.Net;
using System.Text;

namespace EdgeGw.Upstream.Http1;

/// <summary>
/// A non-2xx answer as an <see cref="HttpResponseMessage"/>, so every provider's error mapper (and its
/// tests) reads it the same way whichever client fetched it. The rare path: it may allocate.
/// </summary>
internal static class Http1ErrorMessage
{
    // The mappers read 64 KiB at most; a longer body is cut and its connection closed, not drained.
    private const int MaxBodyBytes = 64 * 1024;

    public static async ValueTask<HttpResponseMessage> ReadAsync(Http1Connection connection, CancellationToken cancellationToken)
    {
        var head = connection.Head;
        var body = new byte[MaxBodyBytes];
        var total = 0;
        try
        {
            int read;
            while (total < body.Length && (read = await connection.Body.ReadAsync(body.AsMemory(total), cancellationToken)) > 0)
                total += read;
        }
        catch (IOException)
        {
            // What arrived is the message; the connection is not reused (its body was not read whole).
        }
        var message = new HttpResponseMessage((HttpStatusCode)head.Status)
        {
            Version = HttpVersion.Version11,
            Content = new ByteArrayContent(body, 0, total),
        };
        for (var i = 0; i < head.Count; i++)
        {
            var name = Encoding.Latin1.GetString(head.Name(i));
            var value = Encoding.Latin1.GetString(head.Value(i));
            if (!message.Headers.TryAddWithoutValidation(name, value))
                message.Content.Headers.TryAddWithoutValidation(name, value);
        }
        return message;
    }
}

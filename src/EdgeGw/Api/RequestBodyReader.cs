using EdgeGw.Buffers;

namespace EdgeGw.Api;

/// <summary>Reads a request body into a pooled buffer, refusing it past <c>max_request_size_mb</c>.</summary>
internal static class RequestBodyReader
{
    /// <param name="pooled">The caller disposes the body exactly once (<see cref="PooledBufferWriter.Rent"/>).</param>
    public static async ValueTask<(PooledBufferWriter? Body, GatewayError? Error)> ReadAsync(HttpContext context, long maxBytes, bool pooled = false)
    {
        var declared = context.Request.ContentLength;
        if (declared > maxBytes)
            return (null, GatewayError.TooLarge(maxBytes));

        // A declared length is allocated once (at most the cap: it is checked above): growing by doubling held ~4x the body.
        var capacity = declared > 0 ? (int)declared.Value : 16 * 1024;
        var buffer = pooled ? PooledBufferWriter.Rent(capacity) : new PooledBufferWriter(capacity);
        var reader = context.Request.BodyReader;
        try
        {
            while (true)
            {
                var read = await reader.ReadAsync(context.RequestAborted);
                foreach (var segment in read.Buffer)
                {
                    if (buffer.WrittenCount + segment.Length > maxBytes)
                    {
                        reader.AdvanceTo(read.Buffer.End);
                        buffer.Dispose();
                        return (null, GatewayError.TooLarge(maxBytes));
                    }
                    buffer.Write(segment.Span);
                }
                reader.AdvanceTo(read.Buffer.End);
                if (read.IsCompleted)
                    return (buffer, null);
            }
        }
        catch
        {
            buffer.Dispose();
            throw;
        }
    }
}

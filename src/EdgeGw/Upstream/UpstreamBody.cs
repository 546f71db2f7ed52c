using EdgeGw.Api;
using EdgeGw.Buffers;

namespace EdgeGw.Upstream;

/// <summary>Reading a whole (non-streamed) upstream answer, with its failures as values.</summary>
internal static class UpstreamBody
{
    /// <summary>Reads <paramref name="body"/> to its end; a timeout is a 504 and a broken connection a 502.</summary>
    public static async ValueTask<GatewayError?> ReadAllAsync(Stream body, PooledBufferWriter buffer, string deploymentName,
        HttpContext http, TimeSpan limit, CancellationToken cancellationToken)
    {
        try
        {
            int read;
            while ((read = await body.ReadAsync(buffer.GetMemory(8192), cancellationToken)) > 0)
                buffer.Advance(read);
            return null;
        }
        catch (OperationCanceledException) when (!http.RequestAborted.IsCancellationRequested)
        {
            return GatewayError.UpstreamTimeout(deploymentName, limit);
        }
        catch (Exception e) when (e is IOException or HttpRequestException)
        {
            return GatewayError.UpstreamUnreachable(deploymentName, "the response broke: " + e.Message);
        }
    }
}

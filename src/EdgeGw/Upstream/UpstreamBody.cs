using System.Runtime.CompilerServices;
using EdgeGw.Api;
using EdgeGw.Buffers;

namespace EdgeGw.Upstream;

/// <summary>Reading a whole (non-streamed) upstream answer, with its failures as values.</summary>
internal static class UpstreamBody
{
    /// <summary>
    /// Reads <paramref name="body"/> to its end; a timeout is a 504, a broken connection a 502, and an
    /// answer past <c>max_response_size_mb</c> a 502 (read no further: it would be held whole in memory).
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public static async ValueTask<GatewayError?> ReadAllAsync(Stream body, PooledBufferWriter buffer, string deploymentName,
        HttpContext http, TimeSpan limit, CancellationToken cancellationToken)
    {
        try
        {
            // A health check's call has no gateway behind its context: it gets the default cap. (Not
            // RequestServices: its first touch builds a DI scope per request.)
            var cap = GatewayRuntime.Of(http)?.Current.Config.General.MaxResponseSizeBytes
                ?? Config.GeneralSettings.DefaultMaxResponseSizeBytes;
            var start = buffer.WrittenCount;
            int read;
            while ((read = await body.ReadAsync(buffer.GetMemory(8192), cancellationToken)) > 0)
            {
                buffer.Advance(read);
                if (buffer.WrittenCount - start > cap)
                    return GatewayError.UpstreamTooLarge(deploymentName, cap);
            }
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

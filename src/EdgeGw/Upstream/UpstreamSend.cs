using System.Runtime.CompilerServices;
using EdgeGw.Api;

namespace EdgeGw.Upstream;

/// <summary>Sending a request upstream, with transport failures as values.</summary>
internal static class UpstreamSend
{
    /// <summary>
    /// Sends <paramref name="message"/> within <paramref name="limit"/>. A timeout is a 504 and an
    /// unreachable upstream a 502; any HTTP answer, error statuses included, is returned for the
    /// adapter to map in its provider's terms.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public static async ValueTask<(HttpResponseMessage? Response, GatewayError? Error)> SendAsync(HttpMessageInvoker client,
        HttpRequestMessage message, CancellationTokenSource timeout, TimeSpan limit, string deploymentName, CancellationToken cancellationToken)
    {
        timeout.CancelAfter(limit);
        if (Observability.Otel.UpstreamTraceparent.Enabled)
            Observability.Otel.UpstreamTraceparent.Inject(message);
        try
        {
            return (await client.SendAsync(message, timeout.Token), null);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (null, GatewayError.UpstreamTimeout(deploymentName, limit));
        }
        catch (HttpRequestException e)
        {
            return (null, GatewayError.UpstreamUnreachable(deploymentName, e.Message));
        }
    }
}

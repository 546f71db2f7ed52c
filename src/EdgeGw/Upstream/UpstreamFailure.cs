using System.Diagnostics.CodeAnalysis;
using System.Net.Sockets;
using EdgeGw.Api;

namespace EdgeGw.Upstream;

/// <summary>
/// How a transport failure of one upstream call reaches the client: its limit running out (not the
/// client's cancellation) is a 504, an unreachable or broken upstream a 502 naming it; anything else is not mapped.
/// </summary>
internal readonly record struct UpstreamFailure(string Deployment, TimeSpan Limit, string Authority, CancellationToken ClientToken)
{
    public bool TryMap(Exception e, [NotNullWhen(true)] out GatewayError? error)
    {
        error = e switch
        {
            OperationCanceledException when !ClientToken.IsCancellationRequested => GatewayError.UpstreamTimeout(Deployment, Limit),
            IOException or SocketException => GatewayError.UpstreamUnreachable(Deployment, $"{e.Message} ({Authority})"),
            _ => null,
        };
        return error is not null;
    }
}

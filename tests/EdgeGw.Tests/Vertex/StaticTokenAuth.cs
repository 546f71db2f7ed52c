using EdgeGw.Api;
using EdgeGw.Providers;

namespace EdgeGw.Tests.Vertex;

/// <summary>A fixed Bearer token, for endpoint tests that are not about where tokens come from.</summary>
internal sealed class StaticTokenAuth(string token) : IUpstreamAuth
{
    public ValueTask<GatewayError?> ApplyAsync(HttpRequestMessage message, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        message.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        return ValueTask.FromResult<GatewayError?>(null);
    }
}

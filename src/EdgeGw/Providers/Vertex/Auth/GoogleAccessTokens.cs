using EdgeGw.Api;
using EdgeGw.Upstream;

namespace EdgeGw.Providers.Vertex.Auth;

/// <summary>
/// Bearer access tokens on a Vertex deployment's requests, from its credential's shared <see cref="GoogleTokenSource"/>.
/// <code>
/// ApplyAsync ─ token fresh ───────────────────────────────► add header (no await, no allocation)
///            ├ token usable, refresh due ─ start refresh ─► add header (the refresh runs in the background)
///            └ no usable token ─ join the one refresh ────► add header, or the refresh's error
/// </code>
/// With no usable token, requests inside the backoff after a failed refresh get its error at once
/// instead of each calling the token endpoint again.
/// </summary>
internal sealed class GoogleAccessTokens : IUpstreamAuth
{
    private readonly GoogleTokenSource? _source;
    private readonly TimeProvider _time;

    public GoogleAccessTokens(GoogleCredentials credentials, UpstreamClients clients, TimeProvider time)
    {
        Credentials = credentials;
        _time = time;
        if (credentials.Grant is { } grant)
            _source = GoogleTokenSource.For(credentials.GrantKey!, grant, clients, time);
    }

    public GoogleAccessTokens(GoogleCredentials credentials, ProviderContext context)
        : this(credentials, context.Clients, context.Time)
    {
    }

    public GoogleCredentials Credentials { get; }

    public ValueTask<GatewayError?> ApplyAsync(HttpRequestMessage message, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        // As LiteLLM merges extra_headers over its own, an Authorization the deployment sets itself wins.
        if (message.Headers.Contains("Authorization"))
            return default;
        if (_source?.Usable(_time.GetUtcNow()) is { } token)
        {
            message.Headers.TryAddWithoutValidation("Authorization", token.Header);
            return default;
        }
        return WaitForTokenAsync(message, cancellationToken);
    }

    private async ValueTask<GatewayError?> WaitForTokenAsync(HttpRequestMessage message, CancellationToken cancellationToken)
    {
        if (_source is null)
            return Credentials.Error;
        var (token, error) = await _source.WaitAsync(cancellationToken);
        if (token is not null)
            message.Headers.TryAddWithoutValidation("Authorization", token.Header);
        return error;
    }
}

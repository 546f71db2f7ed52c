using EdgeGw.Api;
using EdgeGw.Providers;
using EdgeGw.Upstream.Http1;

namespace EdgeGw.Upstream;

/// <summary>
/// Where one endpoint POSTs JSON (a deployment's chat, embeddings, messages… URI with its headers),
/// built once per deployment: a plain <c>http://</c> upstream goes through the Pipelines client with its
/// request head pre-encoded here; HTTPS (HTTP/2 by ALPN), per-request credentials (<see cref="IUpstreamAuth"/>),
/// headers that cannot go on the wire as they are, and <see cref="UpstreamClientSwitch"/> keep HttpClient.
/// </summary>
internal sealed class UpstreamRoute
{
    private readonly HttpMessageInvoker _client;
    private readonly KeyValuePair<string, string>[] _headers;
    private readonly IUpstreamAuth? _auth;
    private readonly Http1Pool? _pool;
    private readonly Http1RequestHead? _head;
    private readonly string _authority; // Uri.Authority builds a new string on every read

    public UpstreamRoute(UpstreamClients clients, Uri uri, IEnumerable<KeyValuePair<string, string>> headers, IUpstreamAuth? auth = null)
    {
        Uri = uri;
        _authority = uri.Authority;
        _client = clients.For(uri);
        _headers = [.. headers];
        _auth = auth;
        if (auth is null && clients.Http1For(uri) is { } pool && Http1RequestHead.TryCreate(uri, _headers) is { } head)
        {
            _pool = pool;
            _head = head;
        }
    }

    public Uri Uri { get; }

    /// <summary>Whether requests go through the Pipelines client.</summary>
    public bool UsesPipelines => _head is not null;

    /// <summary>
    /// Sends <paramref name="body"/> (and <paramref name="extraName"/>: <paramref name="extraValue"/> when given)
    /// within <paramref name="limit"/>: a timeout is a 504 and an unreachable upstream a 502, as <see cref="UpstreamSend"/>;
    /// any HTTP answer, error statuses included, is returned for the adapter to map.
    /// </summary>
    public ValueTask<(UpstreamResponse Response, GatewayError? Error)> SendAsync(SplicedBody body, string? extraName, string? extraValue,
        CancellationTokenSource timeout, TimeSpan limit, string deploymentName, CancellationToken cancellationToken) =>
        _head is not null
            ? SendHttp1Async(body, extraName, extraValue, timeout, limit, deploymentName, cancellationToken)
            : SendHttpClientAsync(body, extraName, extraValue, timeout, limit, deploymentName, cancellationToken);

    private ValueTask<(UpstreamResponse Response, GatewayError? Error)> SendHttp1Async(SplicedBody body, string? extraName, string? extraValue,
        CancellationTokenSource timeout, TimeSpan limit, string deploymentName, CancellationToken cancellationToken)
    {
        if (extraValue is not null && !Http1RequestHead.IsValue(extraValue))
            return new((default, GatewayError.BadRequest($"The '{extraName}' header holds characters that cannot be sent upstream.")));
        timeout.CancelAfter(limit);
        return Http1Exchange.SendAsync(_pool!, _head!, body, extraName, extraValue,
            new UpstreamFailure(deploymentName, limit, _authority, cancellationToken), timeout.Token);
    }

    private async ValueTask<(UpstreamResponse Response, GatewayError? Error)> SendHttpClientAsync(SplicedBody body, string? extraName, string? extraValue,
        CancellationTokenSource timeout, TimeSpan limit, string deploymentName, CancellationToken cancellationToken)
    {
        using var message = new HttpRequestMessage(HttpMethod.Post, Uri) { Content = new SplicedJsonContent(body) };
        UpstreamClients.SetVersion(message);
        foreach (var (name, value) in _headers)
            message.Headers.TryAddWithoutValidation(name, value);
        if (extraName is not null && extraValue is not null)
            message.Headers.TryAddWithoutValidation(extraName, extraValue);
        // The credentials that sign a body read it; a spliced one is only ever sent with a token.
        if (_auth is not null && await _auth.ApplyAsync(message, body.IsPlain ? body.Body : default, cancellationToken) is { } authError)
            return (default, authError);
        var (response, error) = await UpstreamSend.SendAsync(_client, message, timeout, limit, deploymentName, cancellationToken);
        return response is null ? (default, error) : (new UpstreamResponse(response), null);
    }
}

using EdgeGw.Upstream.Http1;

namespace EdgeGw.Upstream;

/// <summary>
/// An upstream's answer from either client: a pooled <see cref="Http1Connection"/> (plain HTTP/1.1,
/// nothing allocated per answer) or an <see cref="HttpResponseMessage"/> (HTTPS, HTTP/2, the switch).
/// Disposing it gives the connection back, or closes it when its body was not read to the end.
/// </summary>
internal readonly struct UpstreamResponse : IDisposable
{
    private readonly HttpResponseMessage? _message;
    private readonly Http1Connection? _connection;
    private readonly Http1Pool? _pool;

    public UpstreamResponse(HttpResponseMessage message) => _message = message;

    public UpstreamResponse(Http1Pool pool, Http1Connection connection)
    {
        _pool = pool;
        _connection = connection;
    }

    public int Status => _connection?.Head.Status ?? (int)_message!.StatusCode;

    public bool IsSuccess => Status is >= 200 and < 300;

    /// <summary>The answer's headers onto the client's response as <c>llm_provider-*</c> (<see cref="ProviderHeaders"/>).</summary>
    public void CopyHeaders(HttpResponse client)
    {
        if (_connection is { } connection)
            ProviderHeaders.Copy(connection, client);
        else
            ProviderHeaders.Copy(_message!, client);
    }

    public ValueTask<Stream> BodyAsync(CancellationToken cancellationToken) =>
        _connection is { } connection ? new ValueTask<Stream>(connection.Body) : new ValueTask<Stream>(_message!.Content.ReadAsStreamAsync(cancellationToken));

    /// <summary>The answer as a message for the error mappers (which take <see cref="HttpResponseMessage"/>); the caller disposes it.</summary>
    public ValueTask<HttpResponseMessage> ToMessageAsync(CancellationToken cancellationToken) =>
        _connection is { } connection ? Http1ErrorMessage.ReadAsync(connection, cancellationToken) : new ValueTask<HttpResponseMessage>(_message!);

    public void Dispose()
    {
        if (_connection is { } connection)
            _pool!.Release(connection);
        else
            _message?.Dispose();
    }
}

using EdgeGw.Api;
using EdgeGw.Upstream;

namespace EdgeGw.Providers.Vertex.Auth;

/// <summary>
/// Bearer access tokens for one Vertex deployment's Google credential.
/// <code>
/// ApplyAsync ─ token fresh ───────────────────────────────► add header (no await, no allocation)
///            ├ token usable, refresh due ─ start refresh ─► add header (the refresh runs in the background)
///            └ no usable token ─ join the one refresh ────► add header, or the refresh's error
/// </code>
/// One refresh at a time, however many requests ask (single-flight). A failed refresh leaves a usable
/// token in place and is retried after a backoff; with no usable token, requests inside the backoff get
/// the last error at once instead of each calling the token endpoint again.
/// </summary>
internal sealed class GoogleAccessTokens : IUpstreamAuth
{
    private static readonly TimeSpan FirstRetry = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan LastRetry = TimeSpan.FromSeconds(30);

    private readonly UpstreamClients _clients;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private volatile AccessToken? _token;
    private volatile Task<GatewayError?>? _refresh;
    private GatewayError? _lastError;
    private long _retryAtTicks; // UTC ticks; read without the lock on the fast path
    private TimeSpan _backoff;

    public GoogleAccessTokens(GoogleCredentials credentials, UpstreamClients clients, TimeProvider time)
    {
        Credentials = credentials;
        _clients = clients;
        _time = time;
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
        var token = _token;
        var now = _time.GetUtcNow();
        if (token is not null && now < token.UsableUntil)
        {
            if (now >= token.RefreshAt && _refresh is null && now.UtcTicks >= Volatile.Read(ref _retryAtTicks))
                StartRefresh(now, waiting: false);
            message.Headers.TryAddWithoutValidation("Authorization", token.Header);
            return default;
        }
        return WaitForTokenAsync(message, cancellationToken);
    }

    private async ValueTask<GatewayError?> WaitForTokenAsync(HttpRequestMessage message, CancellationToken cancellationToken)
    {
        if (Credentials.Error is { } configError)
            return configError;
        var refresh = StartRefresh(_time.GetUtcNow(), waiting: true);
        var error = refresh is null ? null : await refresh.WaitAsync(cancellationToken);
        var token = _token;
        if (token is not null && _time.GetUtcNow() < token.UsableUntil)
        {
            message.Headers.TryAddWithoutValidation("Authorization", token.Header);
            return null;
        }
        return error ?? _lastError ?? GatewayError.Internal($"Vertex AI: no access token for deployment '{Credentials.DeploymentName}'");
    }

    /// <summary>
    /// The refresh in flight, started here unless one already runs; null when a usable token arrived meanwhile.
    /// Inside the backoff after a failure: a completed task with that failure for a waiting caller, nothing for a background one.
    /// </summary>
    private Task<GatewayError?>? StartRefresh(DateTimeOffset now, bool waiting)
    {
        lock (_gate)
        {
            if (_refresh is { } running)
                return running;
            if (waiting && _token is { } token && now < token.UsableUntil)
                return null;
            if (now.UtcTicks < _retryAtTicks)
                return waiting ? Task.FromResult(_lastError) : null;
            // Task.Run: the signing and the send start outside this lock.
            return _refresh = Task.Run(RefreshAsync);
        }
    }

    private async Task<GatewayError?> RefreshAsync()
    {
        AccessToken? token = null;
        GatewayError? error = null;
        try
        {
            (token, error) = await GoogleTokenEndpoint.RequestAsync(_clients, Credentials.Grant!, Credentials.DeploymentName, _time.GetUtcNow());
        }
        catch (Exception e)
        {
            // Nothing may escape: a faulted refresh would leave callers an exception instead of an error value.
            error = GatewayError.Internal($"Vertex AI: no access token for deployment '{Credentials.DeploymentName}': {e.GetType().Name} while requesting it");
        }
        finally
        {
            lock (_gate)
            {
                if (token is not null)
                {
                    _token = token;
                    _lastError = null;
                    _backoff = TimeSpan.Zero;
                    _retryAtTicks = 0;
                }
                else
                {
                    _lastError = error;
                    _backoff = _backoff == TimeSpan.Zero ? FirstRetry : TimeSpan.FromTicks(Math.Min(_backoff.Ticks * 2, LastRetry.Ticks));
                    Volatile.Write(ref _retryAtTicks, (_time.GetUtcNow() + _backoff).UtcTicks);
                }
                _refresh = null;
            }
        }
        return error;
    }
}

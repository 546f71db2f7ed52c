using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using EdgeGw.Api;
using EdgeGw.Upstream;

namespace EdgeGw.Providers.Vertex.Auth;

/// <summary>
/// The access token of one Google credential, shared by every deployment using that credential and kept
/// across config reloads (it lives as long as the <see cref="UpstreamClients"/> it calls through), as
/// LiteLLM keeps one credential object per key. One refresh at a time, however many requests ask
/// (single-flight); a failed refresh leaves a usable token in place and is retried after a backoff.
/// </summary>
internal sealed class GoogleTokenSource
{
    private static readonly TimeSpan FirstRetry = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan LastRetry = TimeSpan.FromSeconds(30);
    private static readonly ConditionalWeakTable<UpstreamClients, ConcurrentDictionary<string, GoogleTokenSource>> Shared = new();

    private readonly IGoogleGrant _grant;
    private readonly UpstreamClients _clients;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private volatile AccessToken? _token;
    private volatile Task<GatewayError?>? _refresh;
    private GatewayError? _lastError;
    private long _retryAtTicks; // UTC ticks; read without the lock on the fast path
    private TimeSpan _backoff;

    private GoogleTokenSource(IGoogleGrant grant, UpstreamClients clients, TimeProvider time)
    {
        _grant = grant;
        _clients = clients;
        _time = time;
    }

    /// <summary>The source for <paramref name="grantKey"/> (a digest of the credential), made by the first deployment that asks.</summary>
    public static GoogleTokenSource For(string grantKey, IGoogleGrant grant, UpstreamClients clients, TimeProvider time) =>
        Shared.GetValue(clients, static _ => new(StringComparer.Ordinal))
            .GetOrAdd(grantKey, static (_, state) => new GoogleTokenSource(state.grant, state.clients, state.time), (grant, clients, time));

    /// <summary>A token usable at <paramref name="now"/>, starting a background refresh when it is due; null when there is none.</summary>
    public AccessToken? Usable(DateTimeOffset now)
    {
        var token = _token;
        if (token is null || now >= token.UsableUntil)
            return null;
        if (now >= token.RefreshAt && _refresh is null && now.UtcTicks >= Volatile.Read(ref _retryAtTicks))
            StartRefresh(now, waiting: false);
        return token;
    }

    /// <summary>Waits for the refresh in flight (starting one if none runs); the token, or why there is none.</summary>
    public async ValueTask<(AccessToken? Token, GatewayError? Error)> WaitAsync(CancellationToken cancellationToken)
    {
        var refresh = StartRefresh(_time.GetUtcNow(), waiting: true);
        var error = refresh is null ? null : await refresh.WaitAsync(cancellationToken);
        var token = _token;
        if (token is not null && _time.GetUtcNow() < token.UsableUntil)
            return (token, null);
        return (null, error ?? _lastError ?? GatewayError.Internal("Vertex AI: no access token"));
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
            (token, error) = await GoogleTokenEndpoint.RequestAsync(_clients, _grant, _time.GetUtcNow());
        }
        catch (Exception e)
        {
            // Nothing may escape: a faulted refresh would leave callers an exception instead of an error value.
            error = GatewayError.Internal($"Vertex AI: no access token: {e.GetType().Name} while requesting one for the {_grant.Description}");
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

using System.Collections.Concurrent;

namespace EdgeGw.Ui;

/// <summary>
/// Sessions logged out before their expiry, so a copied cookie stops working with the logout on this
/// process. Bounded: entries leave at their session's expiry, and when full the soonest to expire
/// makes room (a flood of logouts cannot grow memory). Other replicas do not see it: their copy of the
/// cookie lives until its expiry.
/// </summary>
internal sealed class SessionRevocations(TimeProvider time, int capacity = SessionRevocations.DefaultCapacity)
{
    public const int DefaultCapacity = 10_000;
    private readonly ConcurrentDictionary<Guid, DateTimeOffset> _revoked = new();
    private readonly Lock _pruning = new();

    public int Count => _revoked.Count;

    public bool IsRevoked(Guid id) => _revoked.ContainsKey(id);

    public void Revoke(Guid id, DateTimeOffset expires)
    {
        lock (_pruning)
        {
            if (_revoked.Count >= capacity)
                Prune();
            _revoked[id] = expires;
        }
    }

    private void Prune()
    {
        var now = time.GetUtcNow();
        foreach (var (id, expires) in _revoked)
            if (expires <= now)
                _revoked.TryRemove(id, out _);
        while (_revoked.Count >= capacity)
            _revoked.TryRemove(_revoked.MinBy(e => e.Value).Key, out _);
    }
}

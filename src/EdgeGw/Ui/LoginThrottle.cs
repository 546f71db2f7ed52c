using System.Net;

namespace EdgeGw.Ui;

/// <summary>
/// Refuses UI logins from a client after <see cref="MaxFailures"/> wrong passwords within a minute,
/// until that minute is over. Clients are IP addresses (IPv6 by /64, which one host usually owns
/// whole). Memory is bounded: past <c>capacity</c> tracked clients, newcomers share one bucket, so a
/// spread-out guessing attack slows itself down instead of growing the table.
/// </summary>
internal sealed class LoginThrottle(TimeProvider time, int capacity = LoginThrottle.DefaultCapacity)
{
    public const int MaxFailures = 5;
    public const int DefaultCapacity = 10_000;
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);
    private static readonly IPAddress Overflow = IPAddress.IPv6None;

    private readonly Dictionary<IPAddress, (int Failures, DateTimeOffset Ends)> _clients = [];
    private readonly Lock _lock = new();

    /// <summary>Seconds until <paramref name="client"/> may try again, or null when it may now.</summary>
    public int? RetryAfter(IPAddress? client)
    {
        var key = Key(client);
        var now = time.GetUtcNow();
        lock (_lock)
        {
            if (!_clients.TryGetValue(key, out var entry) && !_clients.TryGetValue(Overflow, out entry))
                return null;
            if (entry.Ends <= now || entry.Failures < MaxFailures)
                return null;
            return Math.Max(1, (int)Math.Ceiling((entry.Ends - now).TotalSeconds));
        }
    }

    public void Failed(IPAddress? client)
    {
        var key = Key(client);
        var now = time.GetUtcNow();
        lock (_lock)
        {
            if (!_clients.ContainsKey(key) && _clients.Count >= capacity)
            {
                foreach (var (k, e) in _clients)
                    if (e.Ends <= now)
                        _clients.Remove(k);
                if (_clients.Count >= capacity)
                    key = Overflow;
            }
            _clients[key] = _clients.TryGetValue(key, out var entry) && entry.Ends > now
                ? (entry.Failures + 1, entry.Ends)
                : (1, now + Window);
        }
    }

    public void Succeeded(IPAddress? client)
    {
        var key = Key(client);
        lock (_lock)
            _clients.Remove(key);
    }

    private static IPAddress Key(IPAddress? client)
    {
        if (client is null)
            return IPAddress.None;
        if (client.IsIPv4MappedToIPv6)
            return client.MapToIPv4();
        if (client.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6)
            return client;
        Span<byte> bytes = stackalloc byte[16];
        client.TryWriteBytes(bytes, out _);
        bytes[8..].Clear();
        return new IPAddress(bytes);
    }
}

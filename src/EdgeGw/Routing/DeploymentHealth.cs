namespace EdgeGw.Routing;

/// <summary>
/// What the router knows about one deployment, kept across config reloads (keyed by deployment id
/// in <see cref="HealthRegistry"/>): requests in flight, a latency average, this minute's
/// successes and failures, and the end of its cooldown. Every field is updated lock-free. With
/// Redis, the registry's <see cref="IRouterPeers"/> also brings in what other replicas saw (their
/// cooldowns, latency and this minute's usage) and hears this replica's.
/// </summary>
internal sealed class DeploymentHealth(string? id = null, HealthRegistry? registry = null)
{
    private const double LatencyWeight = 0.3;
    private const int CountBits = 19;
    private const long CountMask = (1L << CountBits) - 1;
    private static readonly long Minute = TimeSpan.FromMinutes(1).Ticks;

    private int _inFlight;
    private long _latencyBits; // a double (seconds); 0 until the first sample
    private long _window;      // minute (26 bits) | successes (19) | failures (19), saturating
    private long _coolUntil;   // UTC ticks
    private int _coolStatus;   // the HTTP status that parked it; 0: parked by another replica
    private long _peerLatencyBits; // the other replicas' mean latency (a double); 0 when none reported
    private int _peerCount;
    private long _sharedMinute = -1; // the minute the shared usage below is for; -1: never read
    private long _sharedRequests;
    private long _sharedTokens;

    /// <summary>The deployment id replicas share state under; null for a wildcard's per-name health (kept local).</summary>
    public string? Id => id;

    /// <summary>Where this replica's cooldowns, failures and usage go for the others; null: this process alone.</summary>
    public IRouterPeers? Peers => id is null ? null : registry?.Peers;

    public int InFlight => Volatile.Read(ref _inFlight);

    public void Enter() => Interlocked.Increment(ref _inFlight);

    public void Exit() => Interlocked.Decrement(ref _inFlight);

    /// <summary>
    /// Recent time to first byte in seconds: this replica's average merged with the other replicas'
    /// (each counted once); 0 when nobody measured it.
    /// </summary>
    public double Latency
    {
        get
        {
            var local = LocalLatency;
            var peers = Volatile.Read(ref _peerCount);
            var peer = BitConverter.Int64BitsToDouble(Volatile.Read(ref _peerLatencyBits));
            if (peers == 0 || peer == 0)
                return local;
            return local == 0 ? peer : (local + peer * peers) / (1 + peers);
        }
    }

    /// <summary>This replica's own exponentially weighted average; 0 when never measured here.</summary>
    public double LocalLatency => BitConverter.Int64BitsToDouble(Volatile.Read(ref _latencyBits));

    /// <summary>The other replicas' latency: their mean and how many reported.</summary>
    public void SetPeerLatency(double mean, int replicas)
    {
        Volatile.Write(ref _peerLatencyBits, BitConverter.DoubleToInt64Bits(replicas == 0 ? 0 : mean));
        Volatile.Write(ref _peerCount, replicas);
    }

    /// <summary>Requests and tokens every replica used this minute, as last read from the shared store.</summary>
    public void SetSharedUsage(long minute, long requests, long tokens)
    {
        Volatile.Write(ref _sharedRequests, requests);
        Volatile.Write(ref _sharedTokens, tokens);
        Volatile.Write(ref _sharedMinute, minute);
    }

    /// <summary>Tokens (or requests) every replica used in the minute of <paramref name="now"/>; null when nothing shared was read.</summary>
    public long? SharedUsed(bool tokens, long now)
    {
        var minute = Volatile.Read(ref _sharedMinute);
        if (minute < 0)
            return null;
        if (minute != now / Minute)
            return 0;
        return tokens ? Volatile.Read(ref _sharedTokens) : Volatile.Read(ref _sharedRequests);
    }

    public void RecordLatency(TimeSpan sample)
    {
        var seconds = Math.Max(sample.TotalSeconds, 1e-6);
        while (true)
        {
            var bits = Volatile.Read(ref _latencyBits);
            var old = BitConverter.Int64BitsToDouble(bits);
            var next = old == 0 ? seconds : old + LatencyWeight * (seconds - old);
            // Lost a race with another sample: fold this one into the winner's value.
            if (Interlocked.CompareExchange(ref _latencyBits, BitConverter.DoubleToInt64Bits(next), bits) == bits)
                return;
        }
    }

    public bool IsCoolingDown(long now) => Volatile.Read(ref _coolUntil) > now;

    public long CoolingUntil => Volatile.Read(ref _coolUntil);

    /// <summary>The upstream status that started the current cooldown (for the admin view); 0 when another replica started it.</summary>
    public int CoolingStatus => Volatile.Read(ref _coolStatus);

    /// <summary>Parks the deployment for <paramref name="duration"/> on this replica's decision (after <paramref name="status"/>), and tells the others.</summary>
    public void Park(long now, TimeSpan duration, int status = 0)
    {
        CoolDown(now + duration.Ticks, status);
        Peers?.CooledDown(this, duration);
    }

    /// <summary>Parks the deployment until <paramref name="until"/> (a longer cooldown already running is kept, with its status).</summary>
    public void CoolDown(long until, int status = 0)
    {
        while (true)
        {
            var current = Volatile.Read(ref _coolUntil);
            if (current >= until)
                return;
            if (Interlocked.CompareExchange(ref _coolUntil, until, current) == current)
            {
                // Read only by the admin view: a race with another cooldown shows either's status.
                Volatile.Write(ref _coolStatus, status);
                return;
            }
        }
    }

    public void RecordSuccess(long now) => Count(now, failure: false);

    /// <summary>A request answered using <paramref name="tokens"/>: counted in the replicas' shared usage of this minute.</summary>
    public void RecordUsage(long now, long tokens) => Peers?.Used(this, tokens, now);

    /// <summary>The minute of <paramref name="now"/> (UTC ticks) since the epoch: the window failures and shared usage count in.</summary>
    public static long MinuteOf(long now) => now / Minute;

    /// <summary>Counts a failure and returns this minute's (failures, successes) including it.</summary>
    public (int Failures, int Successes) RecordFailure(long now)
    {
        var window = Count(now, failure: true);
        return ((int)(window & CountMask), (int)((window >> CountBits) & CountMask));
    }

    private long Count(long now, bool failure)
    {
        var minute = (now / Minute) & ((1L << 26) - 1);
        while (true)
        {
            var window = Volatile.Read(ref _window);
            long successes = 0, failures = 0;
            if (window >> (2 * CountBits) == minute)
            {
                successes = (window >> CountBits) & CountMask;
                failures = window & CountMask;
            }
            if (failure)
                failures = Math.Min(failures + 1, CountMask);
            else
                successes = Math.Min(successes + 1, CountMask);
            var next = (minute << (2 * CountBits)) | (successes << CountBits) | failures;
            if (window == next || Interlocked.CompareExchange(ref _window, next, window) == window)
                return next;
        }
    }
}

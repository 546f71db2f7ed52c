using System.Runtime.CompilerServices;

namespace EdgeGw.Limits;

/// <summary>
/// A per-minute limit as a token bucket of capacity <c>limit</c> that refills continuously at
/// <c>limit</c> per minute, held in one <c>long</c> and updated lock-free.
/// <para>
/// The state is the bucket's "theoretical arrival time" (GCRA): the instant at which the bucket
/// would be full again. Taking <c>n</c> tokens moves it <c>n × interval</c> later; a take is allowed
/// while that instant stays within one minute of now. This is exactly a token bucket with
/// continuous refill, but the whole state is one number, so one compare-and-swap updates it.
/// Settling a request to its actual usage moves the instant by the difference, which may put the
/// bucket into debt (later takes wait until it has refilled past zero).
/// </para>
/// </summary>
internal sealed class RateBucket
{
    private static readonly long Window = TimeSpan.FromMinutes(1).Ticks;
    private long _fullAt; // TimeSpan ticks on the limiter's clock
    private long _limit;

    public RateBucket(long limit) => _limit = limit;

    public long Limit => Volatile.Read(ref _limit);

    /// <summary><see cref="Limit"/> as the <c>x-ratelimit-limit-*</c> header writes it, formatted once per limit.</summary>
    public string LimitText
    {
        get
        {
            var limit = Limit;
            // One immutable pair: a racing SetLimit can only make a reader format again, never keep a stale text.
            var text = Volatile.Read(ref _limitText);
            if (text is null || text.Limit != limit)
                Volatile.Write(ref _limitText, text = new(limit, limit.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            return text.Text;
        }
    }

    private sealed record FormattedLimit(long Limit, string Text);

    private FormattedLimit? _limitText;

    /// <summary>
    /// Changes the limit in place. Usage already taken keeps counting: the outstanding time is
    /// rescaled so the same number of tokens stays used under the new rate.
    /// </summary>
    public void SetLimit(long limit, long now)
    {
        var old = Interlocked.Exchange(ref _limit, limit);
        if (old == limit || old <= 0 || limit <= 0)
            return;
        while (true)
        {
            var fullAt = Volatile.Read(ref _fullAt);
            if (fullAt <= now)
                return;
            var next = now + (long)((double)(fullAt - now) * old / limit);
            if (Interlocked.CompareExchange(ref _fullAt, next, fullAt) == fullAt)
                return;
        }
    }

    /// <summary>Takes <paramref name="amount"/> tokens if the bucket holds them; never over-admits under contention.</summary>
    public bool TryTake(long amount, long now)
    {
        var limit = Volatile.Read(ref _limit);
        var cost = Cost(amount, limit);
        while (true)
        {
            var fullAt = Volatile.Read(ref _fullAt);
            var next = Math.Max(fullAt, now) + cost;
            if (next - now > Window)
                return false;
            // Another thread moved the state since we read it: re-evaluate against its value.
            if (Interlocked.CompareExchange(ref _fullAt, next, fullAt) == fullAt)
                return true;
        }
    }

    /// <summary>
    /// Takes <paramref name="amount"/> while the window still has room (fewer than <c>limit</c> used),
    /// even if that puts it into debt: LiteLLM's "current &lt; limit", with a reservation — a prompt
    /// estimate plus an output cap — that may exceed the whole limit. Requests admitted together can
    /// pass the limit by at most the last one's reservation; the rest is refused until it refills.
    /// </summary>
    public bool TryReserve(long amount, long now)
    {
        var limit = Volatile.Read(ref _limit);
        if (limit <= 0)
            return false;
        var cost = Cost(amount, limit);
        while (true)
        {
            var fullAt = Volatile.Read(ref _fullAt);
            var from = Math.Max(fullAt, now);
            if (from - now >= Window)
                return false;
            // Another thread moved the state since we read it: re-evaluate against its value.
            if (Interlocked.CompareExchange(ref _fullAt, from + cost, fullAt) == fullAt)
                return true;
        }
    }

    /// <summary>Time until <see cref="TryReserve"/> would pass again (the window has room).</summary>
    public TimeSpan UntilRoom(long now) =>
        TimeSpan.FromTicks(Math.Max(Volatile.Read(ref _fullAt) - now - Window, 0));

    /// <summary>Adds (positive) or returns (negative) tokens unconditionally: settlement and refunds.</summary>
    public void Adjust(long amount, long now)
    {
        if (amount == 0)
            return;
        var cost = Cost(Math.Abs(amount), Volatile.Read(ref _limit));
        while (true)
        {
            var fullAt = Volatile.Read(ref _fullAt);
            var next = amount > 0 ? Math.Max(fullAt, now) + cost : Math.Max(fullAt - cost, now);
            if (Interlocked.CompareExchange(ref _fullAt, next, fullAt) == fullAt)
                return;
        }
    }

    /// <summary>Tokens available now (negative while in debt).</summary>
    public long Remaining(long now)
    {
        var limit = Volatile.Read(ref _limit);
        var used = Math.Max(Volatile.Read(ref _fullAt) - now, 0);
        return limit - (long)Math.Ceiling((double)used * limit / Window);
    }

    /// <summary>Time until the bucket is full again.</summary>
    public TimeSpan UntilFull(long now) => TimeSpan.FromTicks(Math.Max(Volatile.Read(ref _fullAt) - now, 0));

    /// <summary>Time until <paramref name="amount"/> tokens could be taken.</summary>
    public TimeSpan UntilAvailable(long amount, long now)
    {
        var cost = Cost(amount, Volatile.Read(ref _limit));
        var wait = Math.Max(Volatile.Read(ref _fullAt), now) + cost - now - Window;
        return TimeSpan.FromTicks(Math.Max(wait, 0));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static long Cost(long amount, long limit) =>
        limit <= 0 ? long.MaxValue / 4 : (long)Math.Ceiling((double)amount * Window / limit);
}

using System.Globalization;
using EdgeGw.Api;
using EdgeGw.Auth;
using EdgeGw.Config;
using EdgeGw.Limits;
using EdgeGw.Spend;
using EdgeGw.Storage;
using StackExchange.Redis;

namespace EdgeGw.Shared;

/// <summary>
/// Limits and budgets exact across replicas: after this replica's own admission passed (its usage is
/// a lower bound of everyone's, so its refusals stand), one script in Redis checks and takes every
/// rpm, tpm, parallel slot and budget the request touches, all or nothing, on Redis's clock
/// (<c>Scripts/admit.lua</c>); one fire-and-forget script settles it (<c>Scripts/settle.lua</c>).
/// A Redis that fails or is slower than <see cref="RedisSettings.Timeout"/> trips a breaker, and
/// admission follows <see cref="RedisSettings.OnUnavailable"/>.
/// </summary>
internal sealed partial class SharedLimits : IAsyncDisposable
{
    private static readonly RedisScript Admit = RedisScript.Embedded("admit.lua");
    private static readonly RedisScript SettleScript = RedisScript.Embedded("settle.lua");
    private const int Fixed = 6; // lease, ttl (settle: refund), tokens (settle: delta), reserved nanos, cost (settle only), owners
    private const int PerOwner = 5; // rpm, tpm, parallel, max nanos, floor nanos (-1: no budget)
    // admit.lua's SPEND_TTL: a spend key outlives any window it could still be read in.
    private static readonly TimeSpan SpendLife = TimeSpan.FromDays(7);

    private readonly RedisConnection _redis;
    private readonly RedisAdmitLine? _line;
    private readonly ILogger _logger;
    private readonly DenialMemory _denials = new();
    private readonly CreditBook? _credits;
    // Lease ids are unique per replica (several may share a process in tests): a collision would merge two slots into one.
    private readonly string _leasePrefix = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()) + ":";
    private long _leases;
    private long _fallbacks;
    private long _failures;
    private long _unavailableRefusals;

    public SharedLimits(RedisConnection redis, ILogger logger, TimeSpan? breakerCoolOff = null)
    {
        _redis = redis;
        _line = RedisAdmitLine.For(redis.Settings, SettleScript);
        _logger = logger;
        Breaker = new RedisBreaker(breakerCoolOff ?? TimeSpan.FromSeconds(2));
        Renewal = new LeaseRenewal(this, logger);
        _credits = redis.Settings.AdmissionCredit ? new CreditBook(this) : null;
    }

    /// <summary>This replica's admission credits; null with <c>redis_admission_credit: false</c>.</summary>
    internal CreditBook? Credits => _credits;
    internal RedisAdmitLine? Line => _line;

    /// <summary>Keeps this replica's parallel slots and budget reservations alive in Redis while their requests run.</summary>
    public LeaseRenewal Renewal { get; }
    internal IDatabase Database => _redis.Database;
    /// <summary>Where owner <paramref name="o"/>'s arguments start in admit.lua's (and settle.lua's) arguments.</summary>
    internal static int OwnerArg(int o) => Fixed + o * PerOwner;

    public RedisSettings Settings => _redis.Settings;
    public RedisBreaker Breaker { get; }
    /// <summary>Requests admitted on this replica's limits alone because Redis was unavailable.</summary>
    public long Fallbacks => Interlocked.Read(ref _fallbacks);
    /// <summary>Admission calls that failed or timed out.</summary>
    public long Failures => Interlocked.Read(ref _failures);
    /// <summary>Requests refused with 503 because Redis was unavailable in <c>closed</c> mode.</summary>
    public long UnavailableRefusals => Interlocked.Read(ref _unavailableRefusals);

    /// <summary>
    /// Admits against the shared state of <paramref name="targets"/>[0..count) (nulls skipped) and the
    /// budgets <paramref name="budget"/> holds locally. One round trip, never longer than the timeout.
    /// </summary>
    public Task<SharedVerdict> AdmitAsync(ref LimitTargets targets, int count, long tokens, Caller caller, ref BudgetHold budget,
        Accounts accounts, GlobalBudget global)
    {
        var n = 0;
        for (var i = 0; i < count; i++)
        {
            if (targets[i] is not { IsEmpty: false } entity)
                continue;
            if (_denials.TryRecall(entity, out var remembered))
                return Task.FromResult(new SharedVerdict(SharedOutcome.Refused, Refusal: remembered));
            n++;
        }
        var m = budget.Count;
        if (n == 0 && m == 0)
            return Task.FromResult(new SharedVerdict(SharedOutcome.NothingShared));

        // One owner per id: a key's limits and its budget share one hash and one lease set in Redis.
        var ids = new string[n + m];
        var entities = new EntityLimits?[n + m];
        var budgetOf = new int[n + m];
        var owners = 0;
        for (var i = 0; i < count; i++)
        {
            if (targets[i] is not { IsEmpty: false } entity)
                continue;
            ids[owners] = entity.Id;
            entities[owners] = entity;
            budgetOf[owners++] = -1;
        }
        var counters = new IBudgetCounter[m];
        var slots = new BudgetSlot[m];
        for (var j = 0; j < m; j++)
        {
            var counter = budget.Counter(j);
            var slot = BudgetSlot.Of(counter, caller, accounts, global);
            counters[j] = counter;
            slots[j] = slot;
            var id = BudgetId(slot, caller);
            var o = Array.IndexOf(ids, id, 0, owners);
            if (o < 0 || budgetOf[o] >= 0)
            {
                o = owners++;
                ids[o] = id;
            }
            budgetOf[o] = j;
        }

        if (_credits?.TryAdmit(owners, ids, entities, budgetOf, counters, slots, tokens, budget.Nanos) is { } credited)
            return Task.FromResult(new SharedVerdict(SharedOutcome.Admitted, credited));
        if (!Breaker.Allow())
            return Task.FromResult(Unavailable());

        var (keys, values) = Arguments(owners, tokens, budget.Nanos);
        for (var o = 0; o < owners; o++)
        {
            var j = budgetOf[o];
            Fill(keys, values, o, ids[o], entities[o], j >= 0 ? counters[j] : null, j >= 0 ? slots[j] : default);
        }
        if (owners < entities.Length)
        {
            Array.Resize(ref entities, owners);
            Array.Resize(ref budgetOf, owners);
        }
        var hold = new SharedHold(this, keys, values, entities, budgetOf, counters, slots, tokens, ids);
        return RunAsync(hold, caller);
    }

    /// <summary>
    /// The floor this replica sets under a budget's shared spend (a flushed Redis re-learns it): its own counter, less what
    /// its credits spent and have not returned yet — counted once, when they are.
    /// </summary>
    private long FloorOf(string id, IBudgetCounter counter) => Math.Max(counter.Nanos - (_credits?.Unreturned(id) ?? 0), 0);

    /// <summary>
    /// admit.lua's keys and arguments for <paramref name="owners"/> under a new lease id, the fixed part filled (each owner's by
    /// <see cref="Fill"/>); <paramref name="extra"/> arguments after the owners' (grant.lua's).
    /// </summary>
    internal (RedisKey[] Keys, RedisValue[] Values) Arguments(int owners, long tokens, long nanos, int extra = 0)
    {
        var values = new RedisValue[Fixed + owners * PerOwner + extra];
        values[0] = _leasePrefix + Interlocked.Increment(ref _leases).ToString(CultureInfo.InvariantCulture);
        values[1] = (long)Settings.LeaseTtl.TotalMilliseconds;
        values[2] = tokens;
        values[3] = nanos;
        values[4] = 0;
        values[5] = owners;
        return (new RedisKey[owners * 3], values);
    }

    /// <summary>Owner <paramref name="o"/>'s keys and arguments (admit.lua's layout): its limits, and its budget when <paramref name="counter"/> is set.</summary>
    internal void Fill(RedisKey[] keys, RedisValue[] values, int o, string id, EntityLimits? entity, IBudgetCounter? counter, BudgetSlot slot)
    {
        var hash = RedisKeys.Limits + "lim:" + id;
        keys[o * 3] = hash;
        keys[o * 3 + 1] = RedisKeys.Limits + "lease:" + id;
        var a = OwnerArg(o);
        values[a] = entity?.Requests?.Limit ?? 0;
        values[a + 1] = entity?.Tokens?.Limit ?? 0;
        values[a + 2] = entity?.Parallel?.Limit ?? 0;
        if (counter is not null)
        {
            keys[o * 3 + 2] = RedisKeys.Spend(id, counter.ResetAtMs);
            values[a + 3] = slot.MaxNanos;
            values[a + 4] = FloorOf(id, counter);
        }
        else
        {
            keys[o * 3 + 2] = hash; // unread: the owner has no budget
            values[a + 3] = 0;
            values[a + 4] = -1;
        }
    }

    private async Task<SharedVerdict> RunAsync(SharedHold hold, Caller caller)
    {
        long[] answer;
        try
        {
            answer = await Admit.RunAsync(_line, _redis.Database, hold.Keys, hold.Values).WaitAsync(Settings.Timeout).ConfigureAwait(false);
        }
        catch (Exception e) when (e is RedisException or RedisReplyException or IOException or TimeoutException or ObjectDisposedException)
        {
            // The script may still run after the timeout: free the slots and reservations it would hold (by lease id, so a no-op if it never ran).
            Settle(hold, refund: 0, 0, 0, copy: true);
            Failed();
            return Unavailable();
        }
        if (Breaker.Succeeded())
            LogBack();
        if (answer[0] == 0)
        {
            if (hold.HasLeases)
                Renewal.Add(hold);
            return new SharedVerdict(SharedOutcome.Admitted, hold);
        }
        var owner = (int)answer[1];
        var retry = TimeSpan.FromMilliseconds(Math.Max(answer[2], 1));
        if (answer[0] == 4)
            return new SharedVerdict(SharedOutcome.Failed, Error: BudgetRefusal(hold.Slots[hold.BudgetOf[owner]], caller, answer[3], answer[4]));
        var kind = answer[0] switch { 1 => LimitKind.Requests, 2 => LimitKind.Tokens, _ => LimitKind.Parallel };
        var entity = hold.Entities[owner]!;
        // A parallel slot frees whenever a request ends, not on a clock: its refusal is kept only briefly.
        _denials.Remember(entity.Id, kind, answer[3], kind == LimitKind.Parallel ? TimeSpan.FromMilliseconds(100) : retry);
        return new SharedVerdict(SharedOutcome.Refused, Refusal: new Refusal(entity, kind, answer[3], retry));
    }

    /// <summary>Admission calls answered over the dedicated admission connection (observable by tests).</summary>
    internal long LineAnswers => _line?.Answered ?? 0;

    /// <summary>Settlements sent over the admission connection with their reply skipped (observable by tests).</summary>
    internal long LineUnread => _line?.Unanswered ?? 0;

    /// <summary>A call to Redis failed or timed out: counted, and the breaker told (it logs once when it opens).</summary>
    internal void Failed()
    {
        Interlocked.Increment(ref _failures);
        if (Breaker.Failed())
            LogOpened(_logger, Breaker.CoolOff.TotalSeconds, Settings.OnUnavailable == RedisFailureMode.Closed ? "refused with 503" : "admitted on each replica's own limits");
    }

    internal void LogBack() => LogClosed(_logger);

    /// <summary>
    /// An admin set this budget's spend (<c>spend</c> on /key/update, /team/update, /user/update): the shared
    /// copy for its window takes it as it is, lower too (admission only ever raises it to a replica's floor).
    /// Reservations in flight stay. Fire and forget, like settlement.
    /// </summary>
    public void SetSpend(string budgetId, long resetAtMs, long nanos)
    {
        _ = _redis.Database.StringSetAsync(RedisKeys.Spend(budgetId, resetAtMs), nanos, SpendLife, flags: CommandFlags.FireAndForget);
    }

    public async ValueTask DisposeAsync()
    {
        if (_credits is not null)
            await _credits.DisposeAsync();
        await Renewal.DisposeAsync();
        if (_line is not null)
            await _line.DisposeAsync();
    }

    private SharedVerdict Unavailable()
    {
        if (Settings.OnUnavailable == RedisFailureMode.Local)
        {
            Interlocked.Increment(ref _fallbacks);
            return new SharedVerdict(SharedOutcome.LocalOnly);
        }
        Interlocked.Increment(ref _unavailableRefusals);
        return new SharedVerdict(SharedOutcome.Failed, Error: new GatewayError(503,
            $"Shared rate limits and budgets are unavailable: Redis did not answer within {Settings.Timeout.TotalMilliseconds:0} ms " +
            "(router_settings.redis_failure_mode: closed refuses requests until it does).",
            "service_unavailable", "503") { RetryAfterSeconds = Math.Max(1, (int)Math.Ceiling(Breaker.CoolOff.TotalSeconds)) });
    }

    /// <summary>Sends settle.lua without waiting for it: the request path never waits on settlement.</summary>
    /// <param name="copy">The admission may still be queued in the client (timed out while disconnected): its arguments stay as sent.</param>
    /// <param name="refund">Requests given back: 1 for a retried attempt, a credit's unused ones.</param>
    internal void Settle(SharedHold hold, long refund, long tokenDelta, long costNanos, bool copy = false)
    {
        Renewal.Remove(hold);
        var values = copy ? (RedisValue[])hold.Values.Clone() : hold.Values;
        values[1] = refund;
        values[2] = tokenDelta;
        values[4] = costNanos;
        for (var o = 0; o < hold.BudgetOf.Length; o++)
        {
            if (hold.BudgetOf[o] >= 0)
                values[OwnerArg(o) + 4] = FloorOf(hold.Ids[o], hold.Budget(o));
        }
        _ = SettleAsync(hold.Keys, values);
    }

    // On the admission line when it is up, so the next admission (same connection, sent later) finds the slot free;
    // unread there when the server has functions (nothing to wait for, nothing to wake up for).
    private async Task SettleAsync(RedisKey[] keys, RedisValue[] values)
    {
        try
        {
            if (SettleScript.TryRunUnread(_line, keys, values))
                return;
            await SettleScript.RunAsync(_line, _redis.Database, keys, values).ConfigureAwait(false);
        }
        catch (Exception e) when (e is RedisException or RedisReplyException or IOException or TimeoutException or ObjectDisposedException)
        {
            // Left to the lease's expiry: slots and reservations come back by themselves.
            Interlocked.Increment(ref _failures);
        }
    }

    private static string BudgetId(BudgetSlot slot, Caller caller) => slot.Table switch
    {
        CounterTable.Key => caller.Key!.Limits.Id,
        CounterTable.Team => $"team:{slot.Id}",
        CounterTable.User => $"user:{slot.Id}",
        CounterTable.TeamMember => $"member:{slot.Id}",
        _ => "global",
    };

    private static GatewayError BudgetRefusal(BudgetSlot slot, Caller caller, long spend, long reserved)
    {
        var settings = caller.Key?.Settings;
        var who = slot.Table switch
        {
            CounterTable.Team => $" Team={slot.Id}",
            CounterTable.User => $" User={slot.Id}",
            CounterTable.TeamMember => $" User={settings?.UserId} in Team={settings?.TeamId}",
            _ => null,
        };
        return spend >= slot.MaxNanos ? BudgetError.Exceeded(who, spend, slot.MaxNanos) : BudgetError.Reserved(who, spend, reserved, slot.MaxNanos);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "redis: shared limits are OFF after repeated failures or timeouts; requests are {Mode} until Redis answers (next probe in {Seconds}s)")]
    private static partial void LogOpened(ILogger logger, double seconds, string mode);

    [LoggerMessage(Level = LogLevel.Warning, Message = "redis: answering again; shared limits are back on")]
    private static partial void LogClosed(ILogger logger);
}

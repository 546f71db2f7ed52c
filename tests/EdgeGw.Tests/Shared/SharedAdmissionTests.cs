using EdgeGw.Auth;
using EdgeGw.Config;
using EdgeGw.Limits;
using EdgeGw.Shared;
using EdgeGw.Spend;
using EdgeGw.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeGw.Tests.Shared;

/// <summary>
/// <see cref="SharedLimits"/> against one real Redis, below HTTP: admit.lua's buckets decide as
/// <see cref="RateBucket"/> does on the same sequence, and several simulated replicas (each its own local
/// limits and its own <see cref="SharedLimits"/>) admitting, settling and refunding in random
/// interleavings never pass the limits together.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class SharedAdmissionTests(RedisServer redis)
{
    private const int Replicas = 4;
    private const long Rpm = 40;
    private const long Tpm = 3000;
    private const int Parallel = 3;

    private sealed record Held(int Replica, Admission Admission, SharedHold Hold, long Tokens);

    [Fact]
    public async Task TpmReservationsSettlementsAndLimitChange_RedisAgreesWithRateBucket()
    {
        redis.Flush();
        await using var connection = Connect();
        await using var shared = new SharedLimits(connection, NullLogger.Instance);
        var entity = new EntityLimits("key", "gcra", "key:gcra").Update(rpm: null, tpm: 5000, maxParallel: null, Now);
        var local = entity.Tokens!;
        var decisions = new List<(long Amount, bool Local, bool Redis)>();

        async Task<SharedHold?> ReserveAsync(long amount)
        {
            var admitted = local.TryReserve(amount, Now);
            var verdict = await AdmitOnlyInRedisAsync(shared, entity, amount);
            decisions.Add((amount, admitted, verdict.Outcome == SharedOutcome.Admitted));
            return verdict.Hold;
        }

        // "used < limit": 1200, 2500, 3600, 4600 admit; 5500 is past 5000, so the next is refused.
        foreach (var amount in new long[] { 1200, 1300, 1100, 1000, 900, 700 })
            await ReserveAsync(amount);
        // The limit doubles: the 5,500 used stay used (rescaled): 7,500 and 9,500 admit, 10,500 is past it.
        entity.Update(rpm: null, tpm: 10_000, maxParallel: null, Now);
        var holds = new List<SharedHold?>();
        foreach (var amount in new long[] { 2000, 2000, 1000 })
            holds.Add(await ReserveAsync(amount));
        // Two answers used nothing of their 2,000 and 1,000: 7,500 used again, so 9,000 and 10,500 admit.
        foreach (var (hold, reserved) in new[] { (holds[1]!, 2000L), (holds[2]!, 1000L) })
        {
            local.Adjust(-reserved, Now);
            hold.TokensDone(0);
            hold.BudgetDone();
        }
        await Task.Delay(100); // settlement is fire-and-forget; on one connection it precedes the next call anyway
        foreach (var amount in new long[] { 1500, 1500, 100 })
            await ReserveAsync(amount);

        Assert.All(decisions, d => Assert.True(d.Local == d.Redis, $"{d.Amount}: RateBucket {d.Local}, Redis {d.Redis}"));
        Assert.Equal([true, true, true, true, true, false, true, true, true, true, true, false], decisions.Select(d => d.Redis));
    }

    [Fact]
    public async Task RpmTakes_RedisAgreesWithRateBucket()
    {
        redis.Flush();
        await using var connection = Connect();
        await using var shared = new SharedLimits(connection, NullLogger.Instance);
        var entity = new EntityLimits("key", "gcra", "key:gcra-rpm").Update(rpm: 10, tpm: null, maxParallel: null, Now);

        var decisions = new List<(bool Local, bool Redis)>();
        for (var i = 0; i < 12; i++)
            decisions.Add((entity.Requests!.TryTake(1, Now), (await AdmitOnlyInRedisAsync(shared, entity, 0)).Outcome == SharedOutcome.Admitted));

        Assert.Equal([.. Enumerable.Repeat((true, true), 10), (false, false), (false, false)], decisions);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task RandomInterleavings_AdmissionsNeverExceedLimits(int seed)
    {
        redis.Flush();
        var random = new Random(seed);
        var connections = new RedisConnection[Replicas];
        var shared = new SharedLimits[Replicas];
        var limits = new EntityLimits[Replicas];
        var started = DateTimeOffset.UtcNow;
        for (var r = 0; r < Replicas; r++)
        {
            connections[r] = Connect();
            shared[r] = new SharedLimits(connections[r], NullLogger.Instance);
            // The same key on every replica: same id, separate local state.
            limits[r] = new EntityLimits("key", "k", "key:property").Update(Rpm, Tpm, Parallel, started.UtcTicks);
        }
        try
        {
            var held = new List<Held>();
            long requests = 0, tokens = 0, maxReservation = 0;
            for (var step = 0; step < 300; step++)
            {
                var batch = random.Next(1, 5);
                var attempts = new List<Task<Held?>>();
                for (var b = 0; b < batch; b++)
                {
                    var replica = random.Next(Replicas);
                    var reservation = random.Next(50, 400);
                    maxReservation = Math.Max(maxReservation, reservation);
                    attempts.Add(AdmitAsync(shared[replica], limits[replica], replica, reservation));
                }
                foreach (var admitted in await Task.WhenAll(attempts))
                {
                    if (admitted is null)
                        continue;
                    held.Add(admitted);
                    requests++;
                    tokens += admitted.Tokens;
                }

                var elapsed = (DateTimeOffset.UtcNow - started).TotalMinutes;
                Assert.True(held.Count <= Parallel, $"step {step}: {held.Count} in flight over max_parallel_requests {Parallel}");
                Assert.True(requests <= Rpm + Math.Ceiling(elapsed * Rpm), $"step {step}: {requests} requests admitted over rpm {Rpm}");
                // "used < limit" admits one reservation past the limit at most.
                Assert.True(tokens <= Tpm + maxReservation + Math.Ceiling(elapsed * Tpm), $"step {step}: {tokens} tokens over tpm {Tpm}");

                // End some: a completion settles to a smaller actual usage, a refund gives everything back.
                for (var i = held.Count - 1; i >= 0; i--)
                {
                    var h = held[i];
                    var roll = random.Next(4);
                    if (roll == 0)
                    {
                        var actual = random.Next(0, (int)h.Tokens + 1);
                        h.Admission.Complete(actual, DateTimeOffset.UtcNow.UtcTicks);
                        h.Hold.TokensDone(actual);
                        h.Hold.BudgetDone();
                        tokens -= h.Tokens - actual;
                        held.RemoveAt(i);
                    }
                    else if (roll == 1)
                    {
                        h.Admission.Release(DateTimeOffset.UtcNow.UtcTicks);
                        h.Hold.Refund();
                        tokens -= h.Tokens;
                        requests--;
                        held.RemoveAt(i);
                    }
                }
            }
            Assert.True(requests > 0, "nothing was ever admitted");
        }
        finally
        {
            foreach (var replica in shared)
                await replica.DisposeAsync();
            foreach (var connection in connections)
                await connection.DisposeAsync();
        }
    }

    [Fact]
    public async Task UnreadSettlementsBetweenAdmissions_EachAdmissionGetsItsOwnAnswer()
    {
        redis.Flush();
        // Every call on the line counted: no credit grants for the roomy warm-up key among them.
        await using var connection = Connect(credit: false);
        await using var shared = new SharedLimits(connection, NullLogger.Instance);
        // The admission connection comes up in the background: wait until it answers.
        var warm = new EntityLimits("key", "warm", "key:unread-warm").Update(rpm: 1_000_000, tpm: null, maxParallel: null, Now);
        for (var i = 0; i < 100 && shared.LineAnswers == 0; i++)
        {
            (await AdmitOnlyInRedisAsync(shared, warm, 0)).Hold?.Refund();
            await Task.Delay(50);
        }
        var entity = new EntityLimits("key", "unread", "key:unread").Update(rpm: 30, tpm: 100_000, maxParallel: 1, Now);
        var answered = shared.LineAnswers;
        var unread = shared.LineUnread;

        // One slot: each admission passes only if the settlement before it ran first; a reply Redis sent for a
        // settlement would be taken by the next admission as its own ("admitted" past the rpm).
        var outcomes = new List<SharedOutcome>();
        for (var i = 0; i < 40; i++)
        {
            var verdict = await AdmitOnlyInRedisAsync(shared, entity, 100);
            outcomes.Add(verdict.Outcome);
            if (verdict.Hold is { } hold)
            {
                hold.TokensDone(60);
                hold.BudgetDone();
            }
        }

        Assert.Equal([.. Enumerable.Repeat(SharedOutcome.Admitted, 30), .. Enumerable.Repeat(SharedOutcome.Refused, 10)], outcomes);
        Assert.Equal(30, shared.LineUnread - unread);
        Assert.Equal(31, shared.LineAnswers - answered); // the refusal after it is remembered locally
        Assert.Equal(0, shared.Failures);
    }

    private static Task<Held?> AdmitAsync(SharedLimits shared, EntityLimits limits, int replica, long reservation)
    {
        var targets = new LimitTargets();
        targets[0] = limits;
        var now = DateTimeOffset.UtcNow.UtcTicks;
        // This replica's own admission runs first, as on the request path.
        if (!Admission.TryAdmit(ref targets, 1, reservation, now, out var admission, out _))
            return Task.FromResult<Held?>(null);
        return ContinueAsync(AdmitOnlyInRedisAsync(shared, limits, reservation), admission, replica, reservation);
    }

    /// <summary>The Redis half of an admission, for <paramref name="entity"/> alone and no budget.</summary>
    private static Task<SharedVerdict> AdmitOnlyInRedisAsync(SharedLimits shared, EntityLimits entity, long tokens)
    {
        var targets = new LimitTargets();
        targets[0] = entity;
        var budget = new BudgetHold();
        return shared.AdmitAsync(ref targets, 1, tokens, Caller.Anonymous, ref budget, new Accounts(), GlobalBudget.None);
    }

    private RedisConnection Connect(bool credit = true) =>
        RedisConnection.Open(new RedisSettings { Source = "test", Host = "127.0.0.1", Port = redis.Port, Timeout = TimeSpan.FromSeconds(5), AdmissionCredit = credit },
            NullLogger.Instance);

    private static long Now => DateTimeOffset.UtcNow.UtcTicks;

    private static async Task<Held?> ContinueAsync(Task<SharedVerdict> pending, Admission admission, int replica, long reservation)
    {
        var verdict = await pending;
        if (verdict.Outcome == SharedOutcome.Admitted)
            return new Held(replica, admission, verdict.Hold!, reservation);
        Assert.Equal(SharedOutcome.Refused, verdict.Outcome);
        admission.Release(DateTimeOffset.UtcNow.UtcTicks);
        return null;
    }
}

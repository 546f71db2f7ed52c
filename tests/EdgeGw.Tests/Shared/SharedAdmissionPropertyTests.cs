using EdgeGw.Auth;
using EdgeGw.Config;
using EdgeGw.Limits;
using EdgeGw.Shared;
using EdgeGw.Spend;
using EdgeGw.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeGw.Tests.Shared;

/// <summary>
/// Several simulated replicas (each its own local limits and its own <see cref="SharedLimits"/>) admit,
/// settle and refund in random interleavings against one real Redis: the limits hold across them all.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class SharedAdmissionPropertyTests(RedisServer redis)
{
    private const int Replicas = 4;
    private const long Rpm = 40;
    private const long Tpm = 3000;
    private const int Parallel = 3;

    private sealed record Held(int Replica, Admission Admission, SharedHold Hold, long Tokens);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task RandomInterleavings_AdmissionsNeverExceedLimits(int seed)
    {
        redis.Flush();
        var random = new Random(seed);
        var settings = new RedisSettings { Source = "test", Host = "127.0.0.1", Port = redis.Port, Timeout = TimeSpan.FromSeconds(5) };
        var connections = new RedisConnection[Replicas];
        var shared = new SharedLimits[Replicas];
        var limits = new EntityLimits[Replicas];
        var started = DateTimeOffset.UtcNow;
        for (var r = 0; r < Replicas; r++)
        {
            connections[r] = RedisConnection.Open(settings, NullLogger.Instance);
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
                        h.Hold.BudgetDone(0);
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
            foreach (var connection in connections)
                await connection.DisposeAsync();
        }
    }

    private static Task<Held?> AdmitAsync(SharedLimits shared, EntityLimits limits, int replica, long reservation)
    {
        var targets = new LimitTargets();
        targets[0] = limits;
        var now = DateTimeOffset.UtcNow.UtcTicks;
        // This replica's own admission runs first, as on the request path.
        if (!Admission.TryAdmit(ref targets, 1, reservation, now, out var admission, out _))
            return Task.FromResult<Held?>(null);
        var budget = new BudgetHold();
        var pending = shared.AdmitAsync(ref targets, 1, reservation, Caller.Anonymous, ref budget);
        return ContinueAsync(pending, admission, replica, reservation);
    }

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

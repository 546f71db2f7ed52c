using EdgeGw.Limits;

namespace EdgeGw.Tests.Limits;

public sealed class AdmissionTests
{
    private static readonly long T0 = new DateTime(2026, 1, 1).Ticks;
    private static long At(double seconds) => T0 + TimeSpan.FromSeconds(seconds).Ticks;

    private static bool TryAdmit(long now, long tokens, out Admission admission, out Refusal refusal, params EntityLimits[] entities)
    {
        var targets = new LimitTargets();
        for (var i = 0; i < entities.Length; i++)
            targets[i] = entities[i];
        return Admission.TryAdmit(ref targets, entities.Length, tokens, now, out admission, out refusal);
    }

    private static bool TryAdmit(long now, long tokens, params EntityLimits[] entities) => TryAdmit(now, tokens, out _, out _, entities);

    private static int AdmitConcurrently(int requests, long tokens, EntityLimits entity)
    {
        var admitted = 0;
        using var start = new Barrier(requests);
        var threads = Enumerable.Range(0, requests).Select(_ => new Thread(() =>
        {
            start.SignalAndWait();
            if (TryAdmit(T0, tokens, entity))
                Interlocked.Increment(ref admitted);
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        return admitted;
    }

    [Fact]
    public void RpmLimitUnderConcurrency_AdmitsExactlyLimit()
    {
        for (var round = 0; round < 50; round++)
        {
            var key = new EntityLimits("key", "k").Update(rpm: 10, tpm: null, maxParallel: null, T0);
            Assert.Equal(10, AdmitConcurrently(40, 1, key));
        }
    }

    [Fact]
    public void TpmLimitUnderConcurrency_AdmitsExactlyWhatFits()
    {
        for (var round = 0; round < 50; round++)
        {
            var key = new EntityLimits("key", "k").Update(rpm: null, tpm: 1000, maxParallel: null, T0);
            Assert.Equal(10, AdmitConcurrently(40, 100, key));
        }
    }

    [Fact]
    public void ParallelLimitUnderConcurrency_AdmitsExactlyLimit()
    {
        var key = new EntityLimits("key", "k").Update(rpm: null, tpm: null, maxParallel: 7, T0);
        Assert.Equal(7, AdmitConcurrently(40, 1, key));
        Assert.Equal(7, key.Parallel!.InFlight);
    }

    [Fact]
    public void ExhaustedRpm_RefillsContinuously()
    {
        var key = new EntityLimits("key", "k").Update(rpm: 60, tpm: null, maxParallel: null, T0);
        for (var i = 0; i < 60; i++)
            Assert.True(TryAdmit(T0, 0, key));

        Assert.False(TryAdmit(T0, 0, key));
        Assert.False(TryAdmit(At(0.5), 0, key));
        Assert.True(TryAdmit(At(1.0), 0, key));
        Assert.False(TryAdmit(At(1.0), 0, key));
        Assert.Equal(60, key.Requests!.Remaining(At(61)));
    }

    [Fact]
    public void RefusedRequest_ReportsLimitAndWhenItPasses()
    {
        var key = new EntityLimits("key", "alias").Update(rpm: 10, tpm: null, maxParallel: null, T0);
        for (var i = 0; i < 10; i++)
            TryAdmit(T0, 0, key);

        Assert.False(TryAdmit(At(1), 0, out _, out var refusal, key));

        Assert.Equal(LimitKind.Requests, refusal.Kind);
        Assert.Equal(10, refusal.Limit);
        Assert.Same(key, refusal.Entity);
        Assert.Equal(TimeSpan.FromSeconds(5), refusal.RetryAfter);
    }

    [Fact]
    public void UsageAboveEstimate_PutsBucketInDebtAndDelaysLaterRequests()
    {
        var key = new EntityLimits("key", "k").Update(rpm: null, tpm: 1000, maxParallel: null, T0);
        Assert.True(TryAdmit(T0, 100, out var admission, out _, key));

        admission.Complete(actualTokens: 3000, T0);

        Assert.Equal(-2000, key.Tokens!.Remaining(T0));
        Assert.False(TryAdmit(At(119), 1, key));
        Assert.True(TryAdmit(At(121), 1, key));
    }

    [Fact]
    public void UsageBelowEstimate_ReturnsTheDifference()
    {
        var key = new EntityLimits("key", "k").Update(rpm: null, tpm: 1000, maxParallel: null, T0);
        Assert.True(TryAdmit(T0, 1000, out var admission, out _, key));
        Assert.False(TryAdmit(T0, 1, key));

        admission.Complete(actualTokens: 100, T0);

        Assert.Equal(900, key.Tokens!.Remaining(T0));
        Assert.True(TryAdmit(T0, 800, key));
    }

    [Fact]
    public void WindowWithRoom_AdmitsAReservationLargerThanTheRoomThenRefuses()
    {
        // LiteLLM's rule (current < limit) with a reservation: the last request admitted may pass the limit.
        var key = new EntityLimits("key", "k").Update(rpm: null, tpm: 1000, maxParallel: null, T0);
        Assert.True(TryAdmit(T0, 900, key));

        Assert.True(TryAdmit(T0, 200, key));

        Assert.False(TryAdmit(T0, 1, out _, out var refusal, key));
        Assert.Equal(LimitKind.Tokens, refusal.Kind);
        Assert.Equal(TimeSpan.FromSeconds(6), refusal.RetryAfter); // 1,100 used: 100 must refill at 1,000 a minute
    }

    [Fact]
    public void RefusalByLaterLimit_ConsumesNothingFromEarlierOnes()
    {
        var key = new EntityLimits("key", "k").Update(rpm: 100, tpm: 10_000, maxParallel: 5, T0);
        var team = new EntityLimits("team", "t").Update(rpm: 1, tpm: null, maxParallel: null, T0);
        Assert.True(TryAdmit(T0, 50, key, team));

        Assert.False(TryAdmit(T0, 50, out _, out var refusal, key, team));

        Assert.Same(team, refusal.Entity);
        Assert.Equal(99, key.Requests!.Remaining(T0));
        Assert.Equal(9_950, key.Tokens!.Remaining(T0));
        Assert.Equal(1, key.Parallel!.InFlight);
    }

    [Fact]
    public void Completion_ReleasesParallelSlotOnce()
    {
        var key = new EntityLimits("key", "k").Update(rpm: null, tpm: null, maxParallel: 1, T0);
        Assert.True(TryAdmit(T0, 0, out var admission, out _, key));
        Assert.False(TryAdmit(T0, 0, key));

        admission.Complete(0, T0);
        admission.Complete(0, T0);

        Assert.Equal(0, key.Parallel!.InFlight);
        Assert.True(TryAdmit(T0, 0, key));
        Assert.False(TryAdmit(T0, 0, key));
    }

    [Fact]
    public void RaisingLimit_KeepsUsageAndAddsCapacity()
    {
        var key = new EntityLimits("key", "k").Update(rpm: 10, tpm: null, maxParallel: null, T0);
        for (var i = 0; i < 10; i++)
            TryAdmit(T0, 0, key);

        key.Update(rpm: 20, tpm: null, maxParallel: null, T0);

        Assert.Equal(10, key.Requests!.Remaining(T0));
        for (var i = 0; i < 10; i++)
            Assert.True(TryAdmit(T0, 0, key));
        Assert.False(TryAdmit(T0, 0, key));
    }

    [Fact]
    public void LoweringLimit_KeepsUsageSoNothingMorePasses()
    {
        var key = new EntityLimits("key", "k").Update(rpm: 10, tpm: null, maxParallel: null, T0);
        for (var i = 0; i < 6; i++)
            TryAdmit(T0, 0, key);

        key.Update(rpm: 5, tpm: null, maxParallel: null, T0);

        Assert.False(TryAdmit(T0, 0, key));
        Assert.Equal(-1, key.Requests!.Remaining(T0));
    }

    [Fact]
    public void ReservationLargerThanLimit_PassesAnEmptyWindowAlone()
    {
        // An output cap can exceed a small tpm: such a request still runs, and nothing runs beside it.
        var key = new EntityLimits("key", "k").Update(rpm: null, tpm: 100, maxParallel: null, T0);
        Assert.True(TryAdmit(T0, 4_096, out var admission, out _, key));
        Assert.False(TryAdmit(T0, 1, out _, out var refusal, key));
        Assert.Equal(LimitKind.Tokens, refusal.Kind);

        admission.Complete(actualTokens: 30, T0);

        Assert.True(TryAdmit(T0, 4_096, key));
    }

    [Fact]
    public void ZeroTpm_RefusesEveryReservation()
    {
        var key = new EntityLimits("key", "k").Update(rpm: null, tpm: 0, maxParallel: null, T0);
        Assert.False(TryAdmit(T0, 1, key));
    }
}

public sealed class RateBucketRescaleTests
{
    [Fact]
    public void RaisingThreeToFive_LeavesTwo()
    {
        var now = new DateTime(2026, 1, 1).Ticks;
        var bucket = new RateBucket(3);
        for (var i = 0; i < 3; i++)
            Assert.True(bucket.TryTake(1, now));
        bucket.SetLimit(5, now);
        Assert.Equal(2, bucket.Remaining(now));
        Assert.True(bucket.TryTake(1, now));
        Assert.True(bucket.TryTake(1, now));
        Assert.False(bucket.TryTake(1, now));
    }
}

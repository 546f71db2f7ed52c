using EdgeGw.Upstream;

namespace EdgeGw.Tests.Upstream;

// The pooled per-attempt source must behave as CancellationTokenSource.CreateLinkedTokenSource did,
// and a reused one must carry nothing of its previous attempt.
public sealed class AttemptTimeoutTests
{
    [Fact]
    public void ParentCancelled_AttemptIsCancelled()
    {
        using var parent = new CancellationTokenSource();
        using var attempt = AttemptTimeout.Link(parent.Token);
        parent.Cancel();
        Assert.True(attempt.Token.IsCancellationRequested);
    }

    [Fact]
    public void ParentAlreadyCancelled_AttemptStartsCancelled()
    {
        using var attempt = AttemptTimeout.Link(new CancellationToken(true));
        Assert.True(attempt.Token.IsCancellationRequested);
    }

    [Fact]
    public void AttemptDisposed_ItsOldParentNoLongerCancelsTheNextAttempts()
    {
        using var oldParent = new CancellationTokenSource();
        for (var i = 0; i < 64; i++)
            AttemptTimeout.Link(oldParent.Token).Dispose();
        var next = new List<AttemptTimeout>();
        for (var i = 0; i < 64; i++)
            next.Add(AttemptTimeout.Link(CancellationToken.None));
        oldParent.Cancel();
        Assert.All(next, a => Assert.False(a.Token.IsCancellationRequested));
        next.ForEach(a => a.Dispose());
    }

    [Fact]
    public async Task AttemptTimedOut_NextAttemptsAreNotCancelled()
    {
        var timedOut = AttemptTimeout.Link(CancellationToken.None);
        timedOut.CancelAfter(TimeSpan.FromMilliseconds(1));
        await Task.Delay(TimeSpan.FromSeconds(5), timedOut.Token).ContinueWith(_ => { }, TaskScheduler.Default);
        Assert.True(timedOut.Token.IsCancellationRequested);
        timedOut.Dispose();
        for (var i = 0; i < 64; i++)
        {
            using var attempt = AttemptTimeout.Link(CancellationToken.None);
            Assert.False(attempt.Token.IsCancellationRequested);
        }
    }

    [Fact]
    public async Task ReusedAttempt_TimesOutOnItsOwnLimitOnly()
    {
        // An earlier attempt's CancelAfter was stopped by its return: a reused source fires only on its own.
        for (var i = 0; i < 32; i++)
        {
            using var early = AttemptTimeout.Link(CancellationToken.None);
            early.CancelAfter(TimeSpan.FromMilliseconds(50));
        }
        using var attempt = AttemptTimeout.Link(CancellationToken.None);
        await Task.Delay(200);
        Assert.False(attempt.Token.IsCancellationRequested);
        attempt.CancelAfter(TimeSpan.FromMilliseconds(1));
        await Task.Delay(TimeSpan.FromSeconds(5), attempt.Token).ContinueWith(_ => { }, TaskScheduler.Default);
        Assert.True(attempt.Token.IsCancellationRequested);
    }
}

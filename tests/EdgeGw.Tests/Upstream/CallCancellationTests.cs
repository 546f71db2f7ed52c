using EdgeGw.Upstream;

namespace EdgeGw.Tests.Upstream;

/// <summary>An upstream call's pooled cancellation: cancelled with its request, and never handed on cancelled or still linked.</summary>
public sealed class CallCancellationTests
{
    [Fact]
    public async Task RequestCancelled_CallIsCancelled()
    {
        using var request = new CancellationTokenSource();
        using var call = CallCancellation.Link(request.Token);

        await request.CancelAsync();

        Assert.True(call.Source.IsCancellationRequested);
    }

    [Fact]
    public void RequestAlreadyCancelled_CallStartsCancelled()
    {
        using var call = CallCancellation.Link(new CancellationToken(canceled: true));

        Assert.True(call.Source.IsCancellationRequested);
    }

    [Fact]
    public async Task CallReturned_ItsOldRequestNoLongerCancelsIt()
    {
        using var first = new CancellationTokenSource();
        CancellationTokenSource pooled;
        using (var call = CallCancellation.Link(first.Token))
        {
            call.Source.CancelAfter(TimeSpan.FromHours(1)); // a limit that did not run out: the source goes back to the pool
            pooled = call.Source;
        }

        await first.CancelAsync();

        Assert.False(pooled.IsCancellationRequested); // whichever call holds it now is not cancelled by another's request
    }

    [Fact]
    public void CallThatTimedOut_IsNotReused()
    {
        CancellationTokenSource fired;
        using (var call = CallCancellation.Link(CancellationToken.None))
        {
            call.Source.Cancel(); // as its CancelAfter limit would
            fired = call.Source;
        }

        using var next = CallCancellation.Link(CancellationToken.None);

        Assert.NotSame(fired, next.Source);
        Assert.False(next.Source.IsCancellationRequested);
    }
}

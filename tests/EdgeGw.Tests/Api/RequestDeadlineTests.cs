using EdgeGw.Api;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace EdgeGw.Tests.Api;

// Deadlines without a timer are pooled: a reused one must carry nothing of the request before it.
public sealed class RequestDeadlineTests
{
    private static readonly CancellationToken Stopping = new(true); // as during a drain: an abort cancels

    [Fact]
    public void ConnectionAbortedDuringDrain_CancelsItsRequest()
    {
        var (context, aborted) = Context();
        using var deadline = RequestDeadline.Start(context, TimeProvider.System, null, "test", Stopping);
        aborted.Cancel();
        Assert.True(deadline.Token.IsCancellationRequested);
    }

    [Fact]
    public void EarlierRequestsConnectionAborted_DoesNotCancelTheNextRequests()
    {
        var earlier = new List<CancellationTokenSource>();
        for (var i = 0; i < 64; i++)
        {
            var (context, aborted) = Context();
            RequestDeadline.Start(context, TimeProvider.System, null, "test", Stopping).Dispose();
            earlier.Add(aborted);
        }
        var next = new List<RequestDeadline>();
        for (var i = 0; i < 64; i++)
            next.Add(RequestDeadline.Start(Context().Context, TimeProvider.System, null, "test", Stopping));
        earlier.ForEach(a => a.Cancel());
        Assert.All(next, d => Assert.False(d.Token.IsCancellationRequested));
        next.ForEach(d => d.Dispose());
    }

    [Fact]
    public void DeadlineDisposedTwice_IsHandedToOneRequestOnly()
    {
        var deadline = RequestDeadline.Start(Context().Context, TimeProvider.System, null, "test", Stopping);
        deadline.Dispose();
        deadline.Dispose();
        var first = RequestDeadline.Start(Context().Context, TimeProvider.System, null, "test", Stopping);
        var second = RequestDeadline.Start(Context().Context, TimeProvider.System, null, "test", Stopping);
        Assert.NotSame(first, second);
        first.Dispose();
        second.Dispose();
    }

    private static (HttpContext Context, CancellationTokenSource Aborted) Context()
    {
        var aborted = new CancellationTokenSource();
        var context = new DefaultHttpContext();
        context.Features.Set<IHttpRequestLifetimeFeature>(new HttpRequestLifetimeFeature { RequestAborted = aborted.Token });
        return (context, aborted);
    }
}

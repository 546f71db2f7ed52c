using EdgeGw.Config;
using EdgeGw.Json;

namespace EdgeGw.Limits;

/// <summary>
/// A request's hold on its limits: settled to the tokens it used and its parallel slots freed
/// exactly once — as soon as its usage is known (before a non-streamed answer is written, so a
/// client's next request already sees it) or, failing that, when the attempt ends on any path.
/// </summary>
internal sealed class LimitLease(Admission admission, TokenRateLimitType countType, long estimate, TimeProvider time, Shared.SharedHold? shared = null)
{
    private Admission _admission = admission;
    private Shared.SharedHold? _shared = shared; // taken by the first Complete or Release: the hold hears of one only

    /// <summary>Settles to <paramref name="usage"/>; an unknown usage settles to nothing for an attempt that failed before answering, else to the prompt estimate it was given.</summary>
    public void Complete(in Usage usage, bool failedBeforeAnswer)
    {
        var tokens = !usage.Present ? (failedBeforeAnswer ? 0 : estimate) : countType switch
        {
            TokenRateLimitType.Input => usage.PromptTokens,
            TokenRateLimitType.Output => usage.CompletionTokens,
            _ => usage.TotalTokens,
        };
        _admission.Complete(tokens, time.GetUtcNow().UtcTicks);
        Interlocked.Exchange(ref _shared, null)?.TokensDone(tokens);
    }

    /// <summary>Gives back all it took: the attempt failed before answering and the request moves on to another.</summary>
    public void Release()
    {
        _admission.Release(time.GetUtcNow().UtcTicks);
        Interlocked.Exchange(ref _shared, null)?.Refund();
    }
}

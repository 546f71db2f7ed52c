using System.Runtime.CompilerServices;

namespace EdgeGw.Limits;

/// <summary>Up to six limited entities a request passes: key, team, user, deployment, global, spare.</summary>
[InlineArray(Capacity)]
internal struct LimitTargets
{
    public const int Capacity = 6;
    private EntityLimits? _first;
}

/// <summary>Why a request was refused: whose limit, which one, and how long until it would pass.</summary>
internal readonly record struct Refusal(EntityLimits Entity, LimitKind Kind, long Limit, TimeSpan RetryAfter);

/// <summary>
/// Admits a request against every applicable limit, all or nothing: a request token and its token
/// reservation (prompt estimate plus output cap, see <see cref="RateBucket.TryReserve"/>) from each
/// bucket, and a parallel slot. A refusal by a later limit returns what earlier ones gave, so a
/// refused request consumes nothing — limits may briefly under-admit under contention, never over-admit.
/// </summary>
internal struct Admission
{
    private LimitTargets _targets;
    private int _count;
    private long _estimatedTokens;
    private bool _settled;

    public static bool TryAdmit(ref LimitTargets targets, int count, long estimatedTokens, long now, out Admission admission, out Refusal refusal)
    {
        admission = default;
        refusal = default;
        for (var i = 0; i < count; i++)
        {
            var entity = targets[i]!;
            var kind = TryTake(entity, estimatedTokens, now);
            if (kind != LimitKind.None)
            {
                refusal = Refuse(entity, kind, now);
                for (var j = 0; j < i; j++)
                    Give(targets[j]!, estimatedTokens, now);
                return false;
            }
        }
        admission._targets = targets;
        admission._count = count;
        admission._estimatedTokens = estimatedTokens;
        return true;
    }

    private static LimitKind TryTake(EntityLimits entity, long tokens, long now)
    {
        if (entity.Parallel is { } parallel && !parallel.TryEnter())
            return LimitKind.Parallel;
        if (entity.Requests is { } requests && !requests.TryTake(1, now))
        {
            entity.Parallel?.Exit();
            return LimitKind.Requests;
        }
        if (entity.Tokens is { } bucket && !bucket.TryReserve(tokens, now))
        {
            entity.Requests?.Adjust(-1, now);
            entity.Parallel?.Exit();
            return LimitKind.Tokens;
        }
        return LimitKind.None;
    }

    private static void Give(EntityLimits entity, long tokens, long now)
    {
        entity.Tokens?.Adjust(-tokens, now);
        entity.Requests?.Adjust(-1, now);
        entity.Parallel?.Exit();
    }

    private static Refusal Refuse(EntityLimits entity, LimitKind kind, long now) => kind switch
    {
        LimitKind.Parallel => new Refusal(entity, kind, entity.Parallel!.Limit, TimeSpan.FromSeconds(1)),
        LimitKind.Requests => new Refusal(entity, kind, entity.Requests!.Limit, entity.Requests.UntilAvailable(1, now)),
        _ => new Refusal(entity, kind, entity.Tokens!.Limit, entity.Tokens.UntilRoom(now)),
    };

    /// <summary>
    /// Returns everything the admission took (request, tokens, parallel slot): for an attempt that
    /// failed before answering and is being retried, so one client request counts once.
    /// </summary>
    public void Release(long now)
    {
        if (_settled)
            return;
        _settled = true;
        for (var i = 0; i < _count; i++)
            Give(_targets[i]!, _estimatedTokens, now);
    }

    /// <summary>
    /// Settles the estimate to the tokens actually used (which may put a bucket into debt) and
    /// frees the parallel slots. Safe to call once on every path; later calls do nothing.
    /// </summary>
    public void Complete(long actualTokens, long now)
    {
        if (_settled)
            return;
        _settled = true;
        var delta = actualTokens - _estimatedTokens;
        for (var i = 0; i < _count; i++)
        {
            var entity = _targets[i]!;
            entity.Tokens?.Adjust(delta, now);
            entity.Parallel?.Exit();
        }
    }
}

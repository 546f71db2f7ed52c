using System.Collections.Concurrent;
using EdgeGw.Limits;

namespace EdgeGw.Shared;

/// <summary>
/// Refusals Redis gave, remembered for their retry-after so a refused caller does not reach Redis
/// again until then (admissions are never remembered: only a refusal is safe to reuse, as usage
/// only falls by waiting). A remembered refusal counts only while the limit is unchanged.
/// </summary>
internal sealed class DenialMemory
{
    private const int MaxEntries = 100_000;
    private readonly ConcurrentDictionary<string, Denial> _denials = new(StringComparer.Ordinal);

    private readonly record struct Denial(long UntilMs, LimitKind Kind, long Limit);

    public void Remember(string id, LimitKind kind, long limit, TimeSpan retryAfter)
    {
        var now = Environment.TickCount64;
        if (_denials.Count >= MaxEntries)
            Prune(now);
        _denials[id] = new Denial(now + (long)retryAfter.TotalMilliseconds, kind, limit);
    }

    /// <summary>A refusal of <paramref name="entity"/> still in force, else false.</summary>
    public bool TryRecall(EntityLimits entity, out Refusal refusal)
    {
        refusal = default;
        if (_denials.IsEmpty || !_denials.TryGetValue(entity.Id, out var denial))
            return false;
        var left = denial.UntilMs - Environment.TickCount64;
        var limit = denial.Kind switch
        {
            LimitKind.Requests => entity.Requests?.Limit,
            LimitKind.Tokens => entity.Tokens?.Limit,
            _ => entity.Parallel?.Limit,
        };
        if (left <= 0 || limit != denial.Limit)
        {
            _denials.TryRemove(new KeyValuePair<string, Denial>(entity.Id, denial));
            return false;
        }
        refusal = new Refusal(entity, denial.Kind, denial.Limit, TimeSpan.FromMilliseconds(left));
        return true;
    }

    private void Prune(long now)
    {
        foreach (var (id, denial) in _denials)
        {
            if (denial.UntilMs <= now)
                _denials.TryRemove(id, out _);
        }
        if (_denials.Count >= MaxEntries)
            _denials.Clear();
    }
}

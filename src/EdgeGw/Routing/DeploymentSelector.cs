using EdgeGw.Config;
using EdgeGw.Spend;

namespace EdgeGw.Routing;

/// <summary>
/// The routing strategies. Each is one or two passes over the group, reading lock-free counters,
/// allocating nothing. Candidates are the deployments not skipped with the lowest <c>order</c>
/// (no order ranks last); ties go to a uniform random pick, so equal deployments share load.
/// </summary>
internal static class DeploymentSelector
{
    /// <summary>Picks one index among the deployments not <paramref name="skipped"/>; at least one must remain.</summary>
    public static int Choose(ModelGroup group, ReadOnlySpan<bool> skipped, long now)
    {
        var endpoints = group.Endpoints;
        var order = int.MaxValue;
        for (var i = 0; i < endpoints.Length; i++)
        {
            if (!skipped[i])
                order = Math.Min(order, endpoints[i].Deployment.Order ?? int.MaxValue);
        }
        return group.Settings.Strategy switch
        {
            RoutingStrategy.LeastBusy => Lowest(group, skipped, order, static (g, i, _) => g.Endpoints[i].Health.InFlight, now),
            RoutingStrategy.UsageBased => Lowest(group, skipped, order, static (g, i, now) => -Remaining(g, i, now), now),
            RoutingStrategy.CostBased => Lowest(group, skipped, order, static (g, i, _) => g.Cost(i), now),
            RoutingStrategy.LatencyBased => Fastest(group, skipped, order),
            _ => Shuffle(group, skipped, order),
        };
    }

    private static bool IsCandidate(ModelGroup group, ReadOnlySpan<bool> skipped, int order, int i) =>
        !skipped[i] && (group.Endpoints[i].Deployment.Order ?? int.MaxValue) == order;

    /// <summary>simple-shuffle: weighted random among the candidates.</summary>
    private static int Shuffle(ModelGroup group, ReadOnlySpan<bool> skipped, int order)
    {
        double total = 0;
        for (var i = 0; i < skipped.Length; i++)
            total += IsCandidate(group, skipped, order, i) ? group.Weight(i) : 0;
        var x = Random.Shared.NextDouble() * total;
        var last = -1;
        for (var i = 0; i < skipped.Length; i++)
        {
            if (!IsCandidate(group, skipped, order, i))
                continue;
            last = i;
            x -= group.Weight(i);
            if (x < 0)
                return i;
        }
        return last;
    }

    /// <summary>The candidate with the lowest score; ties broken uniformly (reservoir sampling).</summary>
    private static int Lowest(ModelGroup group, ReadOnlySpan<bool> skipped, int order, Func<ModelGroup, int, long, double> score, long now)
    {
        var best = -1;
        var bestScore = double.MaxValue;
        var ties = 0;
        for (var i = 0; i < skipped.Length; i++)
        {
            if (!IsCandidate(group, skipped, order, i))
                continue;
            var s = score(group, i, now);
            if (best < 0 || s < bestScore)
            {
                (best, bestScore, ties) = (i, s, 1);
            }
            else if (s == bestScore && Random.Shared.Next(++ties) == 0)
            {
                best = i;
            }
        }
        return best;
    }

    /// <summary>
    /// latency-based-routing: a uniform pick among candidates within <c>lowest_latency_buffer</c> of the
    /// fastest. A deployment never measured counts as fastest, so every deployment gets tried.
    /// </summary>
    private static int Fastest(ModelGroup group, ReadOnlySpan<bool> skipped, int order)
    {
        var fastest = double.MaxValue;
        for (var i = 0; i < skipped.Length; i++)
        {
            if (IsCandidate(group, skipped, order, i))
                fastest = Math.Min(fastest, group.Endpoints[i].Health.Latency);
        }
        var limit = fastest * (1 + group.Settings.LowestLatencyBuffer);
        var chosen = -1;
        var seen = 0;
        for (var i = 0; i < skipped.Length; i++)
        {
            if (IsCandidate(group, skipped, order, i) && group.Endpoints[i].Health.Latency <= limit && Random.Shared.Next(++seen) == 0)
                chosen = i;
        }
        return chosen;
    }

    /// <summary>
    /// usage-based-routing(-v2): what is left of the deployment's tpm (or rpm) this minute; unlimited is
    /// most. With other replicas, what all of them used this minute (read about every second) counts too.
    /// </summary>
    private static double Remaining(ModelGroup group, int i, long now)
    {
        var endpoint = group.Endpoints[i];
        var limits = endpoint.Limits;
        var bucket = group.UsesTokens ? limits?.Tokens : limits?.Requests;
        var remaining = bucket?.Remaining(now) ?? double.MaxValue;
        var limit = group.UsesTokens ? endpoint.Deployment.Tpm : endpoint.Deployment.Rpm;
        if (limit is { } l && endpoint.Health.SharedUsed(group.UsesTokens, now) is { } used)
            remaining = Math.Min(remaining, l - used);
        return remaining;
    }

    /// <summary>cost-based-routing: input plus output price per token; a model with no known price ranks last.</summary>
    public static double CostPerToken(Deployment deployment)
    {
        if (deployment.InputCostPerToken is not null || deployment.OutputCostPerToken is not null)
            return (double)((deployment.InputCostPerToken ?? 0) + (deployment.OutputCostPerToken ?? 0));
        return PricingTable.Find(deployment.Provider, deployment.ModelId) is { } price ? (double)(price.Input.Base + price.Output.Base) / 1_000_000 : double.MaxValue;
    }
}

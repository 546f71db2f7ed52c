using System.Text;
using System.Text.Json;
using EdgeGw.Config;
using EdgeGw.Limits;
using EdgeGw.Providers;

namespace EdgeGw.Routing;

/// <summary>How a pick ended.</summary>
internal enum PickOutcome : byte
{
    Admitted,
    /// <summary>The caller's own limit refused: no other deployment would help.</summary>
    CallerRefused,
    /// <summary>Every candidate is at its rpm/tpm.</summary>
    Saturated,
    /// <summary>Every deployment is cooling down or already tried.</summary>
    NoneAvailable,
}

/// <summary>Deployments that answer to one <c>model_name</c>, and the strategy that picks among them.</summary>
internal sealed class ModelGroup
{
    private readonly double[] _cumulativeWeights;
    private readonly double[] _costs;

    public ModelGroup(string name, ChatEndpoint[] endpoints, RouterSettings? settings = null)
    {
        Name = name;
        NameJson = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(name, JsonContext.Default.String));
        Endpoints = endpoints;
        Settings = settings ?? new RouterSettings();
        _cumulativeWeights = CumulativeWeights(endpoints);
        _costs = [.. endpoints.Select(e => DeploymentSelector.CostPerToken(e.Deployment))];
        UsesTokens = endpoints.Any(e => e.Deployment.Tpm is not null);
    }

    public string Name { get; }
    /// <summary>For a <c>model_group_alias</c>: the name it serves (a key allowed either name may use it).</summary>
    public string? AliasOf { get; init; }
    public bool IsAlias => AliasOf is not null;
    /// <summary>The name as a JSON string token, quotes included, spliced into responses as <c>model</c>.</summary>
    public byte[] NameJson { get; }
    public ChatEndpoint[] Endpoints { get; }
    public RouterSettings Settings { get; }
    /// <summary>Whether usage-based routing compares remaining tokens (some deployment has a tpm) rather than requests.</summary>
    internal bool UsesTokens { get; }

    /// <summary>
    /// LiteLLM's <c>simple-shuffle</c>: a random pick weighted by <c>weight</c>, else <c>rpm</c>, else
    /// <c>tpm</c>, else uniform. O(group size), no allocation.
    /// </summary>
    public ChatEndpoint Pick()
    {
        if (Endpoints.Length == 1)
            return Endpoints[0];
        var x = Random.Shared.NextDouble() * _cumulativeWeights[^1];
        for (var i = 0; i < _cumulativeWeights.Length; i++)
        {
            if (x < _cumulativeWeights[i])
                return Endpoints[i];
        }
        return Endpoints[^1];
    }

    /// <summary>
    /// Picks a deployment with the group's strategy among those not cooling down and not in
    /// <paramref name="exclude"/> (lowest <c>order</c> first), and admits the request against the
    /// caller's limits (<paramref name="targets"/>[0..count)) plus the deployment's own: a deployment
    /// at its <c>rpm</c>/<c>tpm</c> is skipped and another chosen. O(group size) per draw, no allocation.
    /// </summary>
    /// <param name="preferred">A deployment id tried before the strategy draws (<see cref="RequestRoutingOptions.PreferredDeployment"/>).</param>
    public PickOutcome TryPickAdmitted(ref LimitTargets targets, int count, long tokens, long now, in DeploymentSet exclude,
        out int index, out Admission admission, out Refusal refusal, string? preferred = null)
    {
        Span<bool> skipped = Endpoints.Length <= 64 ? stackalloc bool[Endpoints.Length] : new bool[Endpoints.Length];
        var left = 0;
        for (var i = 0; i < Endpoints.Length; i++)
        {
            skipped[i] = exclude.Contains(i) || Endpoints[i].Health.IsCoolingDown(now);
            left += skipped[i] ? 0 : 1;
        }
        refusal = default;
        admission = default;
        index = -1;
        var outcome = PickOutcome.NoneAvailable;
        var first = preferred is null ? -1 : IndexOf(preferred);
        for (; left > 0; left--)
        {
            var pick = first >= 0 && !skipped[first] ? first : DeploymentSelector.Choose(this, skipped, now);
            first = -1;
            var limits = Endpoints[pick].Limits;
            targets[count] = limits;
            if (Admission.TryAdmit(ref targets, limits is null ? count : count + 1, tokens, now, out admission, out var refused))
            {
                index = pick;
                return PickOutcome.Admitted;
            }
            if (!ReferenceEquals(refused.Entity, limits))
            {
                refusal = refused;
                return PickOutcome.CallerRefused;
            }
            // Keep the soonest retry among saturated deployments for the "none available" answer.
            if (refusal.Entity is null || refused.RetryAfter < refusal.RetryAfter)
                refusal = refused;
            outcome = PickOutcome.Saturated;
            skipped[pick] = true;
        }
        return outcome;
    }

    /// <summary>The position of the deployment with this <c>model_info.id</c>, or -1.</summary>
    public int IndexOf(string deploymentId)
    {
        for (var i = 0; i < Endpoints.Length; i++)
        {
            if (string.Equals(Endpoints[i].Deployment.Id, deploymentId, StringComparison.Ordinal))
                return i;
        }
        return -1;
    }

    /// <summary>Whether a deployment other than those in <paramref name="exclude"/> is not cooling down.</summary>
    public bool HasHealthy(in DeploymentSet exclude, long now)
    {
        for (var i = 0; i < Endpoints.Length; i++)
        {
            if (!exclude.Contains(i) && !Endpoints[i].Health.IsCoolingDown(now))
                return true;
        }
        return false;
    }

    /// <summary>The soonest end of a cooldown in the group, for <c>Retry-After</c>.</summary>
    public TimeSpan UntilFirstCooled(long now)
    {
        var soonest = long.MaxValue;
        foreach (var endpoint in Endpoints)
            soonest = Math.Min(soonest, endpoint.Health.CoolingUntil);
        return TimeSpan.FromTicks(Math.Max(soonest - now, 0));
    }

    internal double Weight(int i) => _cumulativeWeights[i] - (i == 0 ? 0 : _cumulativeWeights[i - 1]);

    internal double Cost(int i) => _costs[i];

    private static double[] CumulativeWeights(ChatEndpoint[] endpoints)
    {
        Func<ChatEndpoint, double?> source =
            endpoints.Any(e => e.Deployment.Weight is not null) ? e => e.Deployment.Weight
            : endpoints.Any(e => e.Deployment.Rpm is not null) ? e => e.Deployment.Rpm
            : endpoints.Any(e => e.Deployment.Tpm is not null) ? e => e.Deployment.Tpm
            : _ => 1;
        var weights = new double[endpoints.Length];
        double total = 0;
        for (var i = 0; i < endpoints.Length; i++)
        {
            total += source(endpoints[i]) ?? 0;
            weights[i] = total;
        }
        if (total <= 0)
        {
            for (var i = 0; i < weights.Length; i++)
                weights[i] = i + 1;
        }
        return weights;
    }
}

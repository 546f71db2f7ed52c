using System.Text;
using System.Text.Json;
using EdgeGw.Limits;
using EdgeGw.Providers;

namespace EdgeGw.Routing;

/// <summary>Deployments that answer to one <c>model_name</c>.</summary>
internal sealed class ModelGroup
{
    private readonly double[] _cumulativeWeights;

    public ModelGroup(string name, ChatEndpoint[] endpoints)
    {
        Name = name;
        NameJson = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(name, JsonContext.Default.String));
        Endpoints = endpoints;
        _cumulativeWeights = CumulativeWeights(endpoints);
    }

    public string Name { get; }
    /// <summary>The name as a JSON string token, quotes included, spliced into responses as <c>model</c>.</summary>
    public byte[] NameJson { get; }
    public ChatEndpoint[] Endpoints { get; }

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
    /// Picks a deployment as <see cref="Pick"/> does and admits the request against the caller's
    /// limits (<paramref name="targets"/>[0..count)) plus the deployment's own: a deployment at its
    /// <c>rpm</c>/<c>tpm</c> is skipped and another drawn. False with the refusal when the caller's
    /// limits refuse, or when every deployment is saturated (the refusal then names a deployment).
    /// </summary>
    public bool TryPickAdmitted(ref LimitTargets targets, int count, long tokens, long now,
        out ChatEndpoint endpoint, out Admission admission, out Refusal refusal)
    {
        Span<bool> skipped = Endpoints.Length <= 64 ? stackalloc bool[Endpoints.Length] : new bool[Endpoints.Length];
        refusal = default;
        for (var left = Endpoints.Length; left > 0; left--)
        {
            var index = PickIndex(skipped);
            endpoint = Endpoints[index];
            var limits = endpoint.Limits;
            targets[count] = limits;
            if (Admission.TryAdmit(ref targets, limits is null ? count : count + 1, tokens, now, out admission, out var refused))
                return true;
            if (!ReferenceEquals(refused.Entity, limits))
            {
                refusal = refused; // the caller's own limit: no other deployment would help
                return false;
            }
            // Keep the soonest retry among saturated deployments for the "none available" answer.
            if (refusal.Entity is null || refused.RetryAfter < refusal.RetryAfter)
                refusal = refused;
            skipped[index] = true;
        }
        endpoint = Endpoints[0];
        admission = default;
        return false;
    }

    private int PickIndex(ReadOnlySpan<bool> skipped)
    {
        double total = 0;
        for (var i = 0; i < Endpoints.Length; i++)
            total += skipped[i] ? 0 : Weight(i);
        var x = Random.Shared.NextDouble() * total;
        var last = -1;
        for (var i = 0; i < Endpoints.Length; i++)
        {
            if (skipped[i])
                continue;
            last = i;
            x -= Weight(i);
            if (x < 0)
                return i;
        }
        return last;
    }

    private double Weight(int i) => _cumulativeWeights[i] - (i == 0 ? 0 : _cumulativeWeights[i - 1]);

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

using System.Text;
using System.Text.Json;
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

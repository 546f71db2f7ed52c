using EdgeGw.Auth;
using EdgeGw.Config;
using EdgeGw.Limits;
using EdgeGw.Providers;
using EdgeGw.Routing;
using EdgeGw.Spend;
using EdgeGw.Storage;
using EdgeGw.Upstream;

namespace EdgeGw.Api;

/// <summary>
/// Everything a request needs that comes from the config, built once per config. A request reads
/// <see cref="GatewayRuntime.Current"/> once and finishes on that snapshot.
/// </summary>
internal sealed class GatewayState
{
    public GatewayState(GatewayConfig config, UpstreamClients clients, TimeProvider time, GatewayData data, LimitRegistry limits,
        HealthRegistry? health = null)
    {
        Config = config;
        Data = data;
        Time = time;
        Limits = limits;
        Models = ModelRegistry.Build(config, new ChatEndpointFactory(config, clients, time));
        var now = time.GetUtcNow().UtcTicks;
        foreach (var group in Models.Groups)
        {
            foreach (var endpoint in group.Endpoints)
            {
                endpoint.Limits = limits.ForDeployment(endpoint.Deployment, now);
                if (health is not null)
                    endpoint.Health = health.For(endpoint.Deployment.Id);
            }
        }
        Authenticator = new Authenticator(config.General.MasterKey, data.Accounts, time);
        GlobalBudget = config.Litellm.MaxBudget is null && config.Litellm.BudgetDuration is null
            ? GlobalBudget.None
            : new GlobalBudget(config.Litellm.MaxBudget is { } max ? Money.ToNanos(max) : null, config.Litellm.BudgetDuration);
    }

    /// <summary>The long-lived database, cache and spend writer (shared by every config snapshot).</summary>
    public GatewayData Data { get; }
    public GlobalBudget GlobalBudget { get; }
    public TimeProvider Time { get; }
    /// <summary>Deployment and global limit state, shared by every config snapshot.</summary>
    public LimitRegistry Limits { get; }

    public GatewayConfig Config { get; }
    public ModelRegistry Models { get; }
    public Authenticator Authenticator { get; }
}

/// <summary>The long-lived parts of the gateway, and the current config snapshot.</summary>
internal sealed class GatewayRuntime : IDisposable
{
    private readonly GatewayState _current;

    public GatewayRuntime(GatewayConfig config, TimeProvider time, GatewayData data)
    {
        Time = time;
        Data = data;
        _current = new GatewayState(config, Clients, time, data, Limits, Health);
    }

    public GatewayData Data { get; }

    public UpstreamClients Clients { get; } = new();
    public LimitRegistry Limits { get; } = new();
    /// <summary>Deployment cooldowns, latency and load, shared by every config snapshot.</summary>
    public HealthRegistry Health { get; } = new();
    public TimeProvider Time { get; }
    public GatewayState Current => _current;

    public void Dispose()
    {
        Clients.Dispose();
        Data.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }
}

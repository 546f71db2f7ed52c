using EdgeGw.Auth;
using EdgeGw.Config;
using EdgeGw.Providers;
using EdgeGw.Routing;
using EdgeGw.Upstream;

namespace EdgeGw.Api;

/// <summary>
/// Everything a request needs that comes from the config, built once per config. A request reads
/// <see cref="GatewayRuntime.Current"/> once and finishes on that snapshot.
/// </summary>
internal sealed class GatewayState
{
    public GatewayState(GatewayConfig config, UpstreamClients clients, TimeProvider time)
    {
        Config = config;
        Models = ModelRegistry.Build(config, new ChatEndpointFactory(config, clients, time));
        Authenticator = new Authenticator(config.General.MasterKey);
    }

    public GatewayConfig Config { get; }
    public ModelRegistry Models { get; }
    public Authenticator Authenticator { get; }
}

/// <summary>The long-lived parts of the gateway, and the current config snapshot.</summary>
internal sealed class GatewayRuntime : IDisposable
{
    private readonly GatewayState _current;


    public GatewayRuntime(GatewayConfig config, TimeProvider time)
    {
        Time = time;
        _current = new GatewayState(config, Clients, time);
    }

    public UpstreamClients Clients { get; } = new();
    public TimeProvider Time { get; }
    public GatewayState Current => _current;

    public void Dispose() => Clients.Dispose();
}

using EdgeGw.Tests.Infrastructure;

namespace EdgeGw.Tests.Replicas;

/// <summary>The shared back end of a replica set: one PostgreSQL server and one Redis server for the whole collection.</summary>
public sealed class ReplicaServers : IDisposable
{
    public PostgresServer Postgres { get; } = new();
    public RedisServer Redis { get; } = new();

    public void Dispose()
    {
        Redis.Dispose();
        Postgres.Dispose();
    }
}

/// <summary>Tests that run gateways as replicas on one database and one Redis; one at a time.</summary>
[CollectionDefinition(Name)]
public sealed class ReplicaCollection : ICollectionFixture<ReplicaServers>
{
    public const string Name = "replicas";
}

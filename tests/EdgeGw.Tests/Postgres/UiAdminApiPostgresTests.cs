using EdgeGw.Tests.Admin;
using EdgeGw.Tests.Infrastructure;

namespace EdgeGw.Tests.Postgres;

/// <summary><see cref="UiAdminApiTests"/> on LiteLLM's PostgreSQL tables: the same answers as on SQLite.</summary>
[Collection(PostgresCollection.Name)]
public sealed class UiAdminApiPostgresTests(PostgresServer server) : UiAdminApiTests
{
    protected override Task<TestGateway> StartAsync(string models, FakeTime time) =>
        TestGateway.StartAsync(models, time: time, databaseUrl: server.Url(server.CreateDatabase()));
}

using EdgeGw.Storage;
using EdgeGw.Storage.Postgres;
using EdgeGw.Tests.Infrastructure;
using Npgsql;

namespace EdgeGw.Tests.Responses;

/// <summary>The response store on PostgreSQL: EdgeGw's own table next to LiteLLM's.</summary>
[Collection(PostgresCollection.Name)]
public sealed class ResponseStorePostgresTests(PostgresServer server) : ResponseStoreContract, IAsyncDisposable
{
    private readonly List<NpgsqlDataSource> _sources = [];

    private protected override IResponseTable NewTable()
    {
        var db = server.CreateDatabase();
        Assert.True(DatabaseUrl.TryParse(server.Url(db), out var url, out var error), error);
        var source = PostgresStore.Build(url);
        _sources.Add(source);
        PostgresResponseTable.EnsureAsync(source).GetAwaiter().GetResult();
        return new PostgresResponseTable(source);
    }

    [Fact]
    public async Task TableCreatedTwice_SecondCreationIsANoOp()
    {
        var db = server.CreateDatabase();
        Assert.True(DatabaseUrl.TryParse(server.Url(db), out var url, out var error), error);
        await using var source = PostgresStore.Build(url);

        await PostgresResponseTable.EnsureAsync(source);
        await PostgresResponseTable.EnsureAsync(source);

        Assert.Equal(1L, server.Scalar(db, "SELECT count(*) FROM pg_tables WHERE tablename = 'EdgeGw_ResponseStore'"));
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var source in _sources)
            await source.DisposeAsync();
    }
}

using EdgeGw.Storage;

namespace EdgeGw.Tests.Models;

/// <summary>The model store on the default SQLite file (migration 8's <c>proxy_models</c>).</summary>
public sealed class ModelStoreSqliteTests : ModelStoreContract, IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("edgegw-models-").FullName;
    private readonly List<SqliteStore> _stores = [];

    private protected override (IModelStore Store, Func<IModelStore> Reopen) NewStore()
    {
        var path = Path.Combine(_folder, $"edgegw-{_stores.Count}.db");
        return (Open(path), () =>
        {
            _stores[^1].Dispose();
            return Open(path);
        });
    }

    private SqliteModelStore Open(string path)
    {
        var store = SqliteStore.Open(path);
        _stores.Add(store);
        return new SqliteModelStore(store);
    }

    [Fact]
    public void FreshFile_MigratesToTheModelTable()
    {
        _ = NewStore();

        Assert.Equal(Migrations.Latest, _stores[^1].SchemaVersion);
        Assert.Equal(1L, _stores[^1].Run(c =>
        {
            using var command = Sql.Command(c, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'proxy_models'");
            return (long)command.ExecuteScalar()!;
        }));
    }

    public void Dispose()
    {
        foreach (var store in _stores)
            store.Dispose();
        Directory.Delete(_folder, recursive: true);
    }
}

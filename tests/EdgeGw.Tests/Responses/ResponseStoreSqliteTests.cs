using EdgeGw.Storage;

namespace EdgeGw.Tests.Responses;

/// <summary>The response store on the default SQLite file (migration 7).</summary>
public sealed class ResponseStoreSqliteTests : ResponseStoreContract, IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("edgegw-responses-").FullName;
    private readonly List<SqliteStore> _stores = [];

    private protected override IResponseTable NewTable()
    {
        var store = SqliteStore.Open(Path.Combine(_folder, $"edgegw-{_stores.Count}.db"));
        _stores.Add(store);
        return new SqliteResponseTable(store);
    }

    public void Dispose()
    {
        foreach (var store in _stores)
            store.Dispose();
        Directory.Delete(_folder, recursive: true);
    }
}

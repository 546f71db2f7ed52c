using System.Text.Json;
using EdgeGw.Storage;

namespace EdgeGw.Tests.Models;

/// <summary>What the run-time model store promises on every backend: each subclass supplies a fresh, empty database.</summary>
public abstract class ModelStoreContract
{
    /// <summary>A store on a new database, and a way to open that same database again (a restart).</summary>
    private protected abstract (IModelStore Store, Func<IModelStore> Reopen) NewStore();

    private static readonly DateTimeOffset Monday = new(2026, 3, 2, 9, 15, 30, 123, TimeSpan.Zero);

    // An api_key as the caller hands it over: already encrypted, stored as any other string.
    internal static StoredModel Model(string id, string name = "gpt-4o", DateTimeOffset? at = null) => new(
        id, name,
        """{"model": "openai/gpt-4o", "api_base": "http://127.0.0.1:9/v1", "api_key": "bG9uZy1lbmNyeXB0ZWQtdmFsdWU=", "rpm": 60}""",
        $$"""{"id": "{{id}}", "mode": "chat", "max_input_tokens": 128000, "access_groups": ["beta"]}""",
        at ?? Monday, "admin", at ?? Monday, "admin");

    internal static void AssertJson(string? expected, string? actual)
    {
        if (expected is null || actual is null)
        {
            Assert.Equal(expected, actual);
            return;
        }
        using var e = JsonDocument.Parse(expected);
        using var a = JsonDocument.Parse(actual);
        Assert.True(JsonElement.DeepEquals(e.RootElement, a.RootElement), $"expected {expected}, got {actual}");
    }

    internal static void AssertSame(StoredModel expected, StoredModel? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal((expected.ModelId, expected.ModelName, expected.CreatedAt, expected.CreatedBy, expected.UpdatedAt, expected.UpdatedBy),
            (actual.ModelId, actual.ModelName, actual.CreatedAt, actual.CreatedBy, actual.UpdatedAt, actual.UpdatedBy));
        AssertJson(expected.LitellmParamsJson, actual.LitellmParamsJson);
        AssertJson(expected.ModelInfoJson, actual.ModelInfoJson);
    }

    [Fact]
    public async Task InsertedModel_ReadBackAfterRestartWithItsJsonAndTimes()
    {
        var (store, reopen) = NewStore();
        var model = Model("0b6e2c1a-5f4d-4f3e-9a8b-7c6d5e4f3a2b");

        Assert.True(await store.InsertAsync(model));

        var again = reopen();
        AssertSame(model, await again.GetAsync(model.ModelId));
        AssertSame(model, Assert.Single(await again.ListAsync()));
    }

    [Fact]
    public async Task ModelWithoutInfo_ReadsBackWithNullInfo()
    {
        var (store, _) = NewStore();
        var model = Model("m-no-info") with { ModelInfoJson = null };

        await store.InsertAsync(model);

        Assert.Null((await store.GetAsync("m-no-info"))!.ModelInfoJson);
    }

    [Fact]
    public async Task SameIdInsertedTwice_SecondRefusedAndFirstKept()
    {
        var (store, _) = NewStore();
        await store.InsertAsync(Model("m1", "first"));

        Assert.False(await store.InsertAsync(Model("m1", "second")));

        Assert.Equal("first", (await store.GetAsync("m1"))!.ModelName);
    }

    [Fact]
    public async Task Update_ReplacesParamsAndInfoAndKeepsCreation()
    {
        var (store, reopen) = NewStore();
        await store.InsertAsync(Model("m1"));
        var later = Monday.AddHours(5);

        var updated = await store.UpdateAsync("m1", "gpt-4o-mini", """{"model": "openai/gpt-4o-mini", "api_key": "bmV3LWtleQ=="}""", null, later, "alice");

        var expected = new StoredModel("m1", "gpt-4o-mini", """{"model": "openai/gpt-4o-mini", "api_key": "bmV3LWtleQ=="}""", null, Monday, "admin", later, "alice");
        AssertSame(expected, updated);
        AssertSame(expected, await reopen().GetAsync("m1"));
    }

    [Fact]
    public async Task UnknownId_UpdateReturnsNullAndGetReturnsNull()
    {
        var (store, _) = NewStore();
        await store.InsertAsync(Model("m1"));

        Assert.Null(await store.UpdateAsync("nope", "x", "{}", null, Monday, "admin"));
        Assert.Null(await store.GetAsync("nope"));
        Assert.Single(await store.ListAsync());
    }

    [Fact]
    public async Task Delete_RemovesOnlyThatModelAndSecondDeleteReturnsFalse()
    {
        var (store, reopen) = NewStore();
        await store.InsertAsync(Model("m1"));
        await store.InsertAsync(Model("m2"));

        Assert.True(await store.DeleteAsync("m1"));
        Assert.False(await store.DeleteAsync("m1"));

        Assert.Equal(["m2"], (await reopen().ListAsync()).Select(m => m.ModelId));
    }

    [Fact]
    public async Task ManyModels_ListedOldestFirst()
    {
        var (store, _) = NewStore();
        await store.InsertAsync(Model("c", at: Monday.AddMinutes(2)));
        await store.InsertAsync(Model("a", at: Monday.AddMinutes(1)));
        await store.InsertAsync(Model("b", at: Monday.AddMinutes(3)));

        Assert.Equal(["a", "c", "b"], (await store.ListAsync()).Select(m => m.ModelId));
    }

    [Fact]
    public async Task EmptyDatabase_ListsNothing()
    {
        var (store, _) = NewStore();

        Assert.Empty(await store.ListAsync());
    }
}

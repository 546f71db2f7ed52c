using System.Text;
using EdgeGw.Api.Responses;
using EdgeGw.Storage;
using EdgeGw.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeGw.Tests.Responses;

/// <summary>What the response store promises, on every backend: each subclass supplies a fresh table.</summary>
public abstract class ResponseStoreContract
{
    private protected readonly FakeTime Time = new();

    private protected abstract IResponseTable NewTable();

    private protected ResponseStore Open(IResponseTable table) => new(table, Time, NullLogger.Instance);

    internal static StoredResponse Turn(string id, string? previous = null, string key = "k1", string? team = null, DateTimeOffset? at = null) => new(
        id, "dep-1", "claude", previous,
        Encoding.UTF8.GetBytes($$"""[{"type":"message","role":"user","content":"question {{id}}"}]"""),
        Encoding.UTF8.GetBytes($$"""{"id":"{{id}}","object":"response","output":[{"type":"message","id":"msg_{{id}}","role":"assistant","status":"completed","content":[{"type":"output_text","text":"answer {{id}}","annotations":[]}]}]}"""),
        key, team, at ?? new DateTimeOffset(2026, 3, 1, 9, 0, 0, TimeSpan.Zero));

    /// <summary>Saves through one store and closes it (its queue written), so reads come from the database.</summary>
    private protected async Task SaveAndCloseAsync(IResponseTable table, params StoredResponse[] turns)
    {
        var store = Open(table);
        foreach (var turn in turns)
            store.Save(turn);
        await store.DisposeAsync();
    }

    [Fact]
    public async Task SavedTurn_ReadBackFromTheDatabaseAfterRestart()
    {
        var table = NewTable();
        var turn = Turn("resp_1", previous: "resp_0", team: "t1");
        await SaveAndCloseAsync(table, turn);

        await using var store = Open(table);
        var read = await store.GetAsync("resp_1", default);

        Assert.NotNull(read);
        Assert.Equal(("dep-1", "claude", "resp_0", "k1", "t1"), (read.DeploymentId, read.ModelGroup, read.PreviousResponseId, read.KeyHash, read.TeamId));
        Assert.Equal(turn.CreatedAt, read.CreatedAt);
        Assert.Equal(turn.InputItemsJson.ToArray(), read.InputItemsJson.ToArray());
        Assert.Equal(turn.ResponseJson.ToArray(), read.ResponseJson.ToArray());
        Assert.False(read.IsForwarded);
    }

    [Fact]
    public async Task SavedTurn_VisibleAtOnceBeforeItIsWritten()
    {
        await using var store = Open(NewTable());

        store.Save(Turn("resp_now"));

        Assert.NotNull(await store.GetAsync("resp_now", default));
    }

    [Fact]
    public async Task ForwardedTurn_KeepsOnlyWhereItLives()
    {
        var table = NewTable();
        await SaveAndCloseAsync(table, StoredResponse.Forwarded("resp_openai", "dep-openai", "gpt", null, Auth.Caller.Anonymous, Time.GetUtcNow()));

        await using var store = Open(table);
        var read = await store.GetAsync("resp_openai", default);

        Assert.NotNull(read);
        Assert.True(read.IsForwarded);
        Assert.Equal("dep-openai", read.DeploymentId);
    }

    [Fact]
    public async Task DeletedTurn_GoneAndASecondDeleteFindsNothing()
    {
        var table = NewTable();
        await SaveAndCloseAsync(table, Turn("resp_del"));
        await using var store = Open(table);

        Assert.True(await store.DeleteAsync("resp_del", default));
        Assert.Null(await store.GetAsync("resp_del", default));
        Assert.False(await store.DeleteAsync("resp_del", default));
    }

    [Fact]
    public async Task TurnDeletedBeforeItIsWritten_NeverReachesTheDatabase()
    {
        var table = NewTable();
        var store = Open(table);
        store.Save(Turn("resp_quick"));
        Assert.True(await store.DeleteAsync("resp_quick", default));
        await store.DisposeAsync();

        await using var reopened = Open(table);
        Assert.Null(await reopened.GetAsync("resp_quick", default));
    }

    [Fact]
    public async Task TurnPastRetention_InvisibleThenPurged()
    {
        var table = NewTable();
        var start = Time.GetUtcNow();
        await SaveAndCloseAsync(table, Turn("resp_old", at: start), Turn("resp_new", at: start.AddDays(20)));
        await using var store = Open(table);
        store.Configure(TimeSpan.FromDays(30), null);
        Time.Advance(TimeSpan.FromDays(31));

        Assert.Null(await store.GetAsync("resp_old", default));
        await store.PurgeOnceAsync();

        Assert.Null(await table.GetAsync("resp_old", default));
        Assert.NotNull(await store.GetAsync("resp_new", default));
    }

    [Fact]
    public async Task MoreTurnsThanTheRowCap_OldestPurged()
    {
        var table = NewTable();
        var start = Time.GetUtcNow();
        await SaveAndCloseAsync(table, [.. Enumerable.Range(0, 5).Select(i => Turn($"resp_{i}", at: start.AddMinutes(i)))]);
        await using var store = Open(table);
        store.Configure(null, 2);

        await store.PurgeOnceAsync();

        Assert.Null(await table.GetAsync("resp_2", default));
        Assert.NotNull(await table.GetAsync("resp_3", default));
        Assert.NotNull(await table.GetAsync("resp_4", default));
    }
}

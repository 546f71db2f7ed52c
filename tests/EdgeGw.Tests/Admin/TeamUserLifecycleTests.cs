using System.Net;
using EdgeGw.Tests.Infrastructure;

namespace EdgeGw.Tests.Admin;

public sealed class TeamUserLifecycleTests : IAsyncLifetime
{
    private TestGateway _gateway = null!;

    public async Task InitializeAsync() => _gateway = await TestGateway.StartAsync(AdminClient.CheapModel);

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    [Fact]
    public async Task TeamNew_ReturnsItsFields()
    {
        var team = await _gateway.PostAdminAsync("/team/new",
            """{"team_id":"eng","team_alias":"Engineering","models":["cheap"],"max_budget":10,"budget_duration":"30d","rpm_limit":5,"tpm_limit":50,"metadata":{"cc":"42"}}""");

        Assert.Equal("eng", team.GetProperty("team_id").GetString());
        Assert.Equal("Engineering", team.GetProperty("team_alias").GetString());
        Assert.Equal(10m, team.GetProperty("max_budget").GetDecimal());
        Assert.Equal("30d", team.GetProperty("budget_duration").GetString());
        Assert.Equal(JsonValueKindString, team.GetProperty("budget_reset_at").ValueKind);
        Assert.Equal(0m, team.GetProperty("spend").GetDecimal());
        Assert.Equal("42", team.GetProperty("metadata").GetProperty("cc").GetString());
    }

    private const System.Text.Json.JsonValueKind JsonValueKindString = System.Text.Json.JsonValueKind.String;

    [Fact]
    public async Task TeamWithoutId_GetsOne()
    {
        var team = await _gateway.PostAdminAsync("/team/new", """{"team_alias":"anon"}""");
        Assert.False(string.IsNullOrEmpty(team.GetProperty("team_id").GetString()));
    }

    [Fact]
    public async Task TeamInfo_ShowsSpendAndKeys()
    {
        await _gateway.PostAdminAsync("/team/new", """{"team_id":"t"}""");
        var key = await _gateway.NewKeyAsync("""{"team_id":"t"}""");
        using (var response = await _gateway.ChatAsync(key))
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var info = await _gateway.GetAdminAsync("/team/info?team_id=t");

        Assert.Equal(AdminClient.ChatCost, info.GetProperty("team_info").GetProperty("spend").GetDecimal());
        Assert.Equal(1, info.GetProperty("keys").GetArrayLength());
    }

    [Fact]
    public async Task TeamUpdate_ChangesOnlyNamedFields()
    {
        await _gateway.PostAdminAsync("/team/new", """{"team_id":"t","team_alias":"a","max_budget":1}""");

        var response = await _gateway.PostAdminAsync("/team/update", """{"team_id":"t","max_budget":null,"models":["other"]}""");

        Assert.Equal("t", response.GetProperty("team_id").GetString()); // LiteLLM's {"team_id", "data"}
        var updated = response.GetProperty("data");

        Assert.Equal(System.Text.Json.JsonValueKind.Null, updated.GetProperty("max_budget").ValueKind);
        Assert.Equal("a", updated.GetProperty("team_alias").GetString());
        Assert.Equal("other", updated.GetProperty("models")[0].GetString());
    }

    [Fact]
    public async Task TeamDelete_RemovesTeamAndItsKeys()
    {
        await _gateway.PostAdminAsync("/team/new", """{"team_id":"gone"}""");
        var key = await _gateway.NewKeyAsync("""{"team_id":"gone"}""");

        var deleted = await _gateway.PostAdminAsync("/team/delete", """{"team_ids":["gone"]}""");

        Assert.Equal(1, deleted.GetProperty("deleted_keys").GetInt32());
        await _gateway.GetAdminAsync("/team/info?team_id=gone", HttpStatusCode.NotFound);
        using var refused = await _gateway.ChatAsync(key);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }

    [Fact]
    public async Task TeamDeleteUnknown_Is404()
    {
        var error = await _gateway.PostAdminAsync("/team/delete", """{"team_ids":["nope"]}""", HttpStatusCode.NotFound);
        Assert.Equal("team_ids", error.GetProperty("error").GetProperty("param").GetString());
    }

    [Fact]
    public async Task TeamList_ListsAll()
    {
        await _gateway.PostAdminAsync("/team/new", """{"team_id":"a"}""");
        await _gateway.PostAdminAsync("/team/new", """{"team_id":"b"}""");

        var list = await _gateway.GetAdminAsync("/team/list");

        Assert.Equal(["a", "b"], list.EnumerateArray().Select(t => t.GetProperty("team_id").GetString()).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task UserNew_IssuesAKeyForTheUser()
    {
        var user = await _gateway.PostAdminAsync("/user/new", """{"user_id":"ann","user_email":"ann@example.com","max_budget":3,"budget_duration":"1w","models":["cheap"]}""");

        var key = user.GetProperty("key").GetString()!;
        Assert.Equal("ann", user.GetProperty("user_id").GetString());
        Assert.Equal(3m, user.GetProperty("max_budget").GetDecimal());
        using (var ok = await _gateway.ChatAsync(key))
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        var info = await _gateway.GetAdminAsync("/user/info?user_id=ann");
        Assert.Equal(AdminClient.ChatCost, info.GetProperty("user_info").GetProperty("spend").GetDecimal());
        Assert.Equal(1, info.GetProperty("keys").GetArrayLength());
        using var refused = await _gateway.ChatAsync(key, """{"model":"other","messages":[{"role":"user","content":"hi"}]}""");
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }

    [Fact]
    public async Task UserUpdate_ChangesBudget()
    {
        await _gateway.PostAdminAsync("/user/new", """{"user_id":"bob","auto_create_key":false}""");
        var updated = await _gateway.PostAdminAsync("/user/update", """{"user_id":"bob","max_budget":7.25}""");
        Assert.Equal(7.25m, updated.GetProperty("max_budget").GetDecimal());
    }

    [Fact]
    public async Task UserDelete_RemovesUserAndKeys()
    {
        var key = (await _gateway.PostAdminAsync("/user/new", """{"user_id":"cat"}""")).GetProperty("key").GetString()!;

        await _gateway.PostAdminAsync("/user/delete", """{"user_ids":["cat"]}""");

        await _gateway.GetAdminAsync("/user/info?user_id=cat", HttpStatusCode.NotFound);
        using var refused = await _gateway.ChatAsync(key);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }

    [Fact]
    public async Task KeyForUnknownUser_CreatesTheUser()
    {
        await _gateway.NewKeyAsync("""{"user_id":"dan"}""");
        var info = await _gateway.GetAdminAsync("/user/info?user_id=dan");
        Assert.Equal("dan", info.GetProperty("user_id").GetString());
    }
}

using System.Net;
using EdgeGw.Tests.Infrastructure;

namespace EdgeGw.Tests.Spend;

/// <summary>LiteLLM: a team key answers to the team's budget and the user's budget in the team, not the user's personal budget.</summary>
public sealed class TeamKeyBudgetTests : IAsyncLifetime
{
    private TestGateway _gateway = null!;

    public async Task InitializeAsync() => _gateway = await TestGateway.StartAsync(AdminClient.CheapModel);

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    private async Task<HttpResponseMessage> ChatAsync(string key) => await _gateway.ChatAsync(key);

    private async Task<string> MessageOfRefusalAsync(string key)
    {
        using var refused = await ChatAsync(key);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        var error = await AdminClient.ErrorOf(refused);
        Assert.Equal("budget_exceeded", error.GetProperty("type").GetString());
        return error.GetProperty("message").GetString()!;
    }

    /// <summary>User <c>u</c> with a personal budget of one request, team <c>t</c>.</summary>
    private async Task UserWithOneRequestBudgetAndTeamAsync(string teamJson = "")
    {
        await _gateway.PostAdminAsync("/user/new", $$"""{"user_id":"u","max_budget":{{AdminClient.ChatCost}},"auto_create_key":false}""");
        await _gateway.PostAdminAsync("/team/new", $$"""{"team_id":"t"{{teamJson}}}""");
    }

    [Fact]
    public async Task UserOverPersonalBudget_TeamKeyStillAnswers()
    {
        await UserWithOneRequestBudgetAndTeamAsync();
        var personal = await _gateway.NewKeyAsync("""{"user_id":"u"}""");
        var teamKey = await _gateway.NewKeyAsync("""{"user_id":"u","team_id":"t"}""");
        using (var first = await ChatAsync(personal))
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);

        Assert.StartsWith("Budget has been exceeded! User=u ", await MessageOfRefusalAsync(personal), StringComparison.Ordinal);
        using var viaTeam = await ChatAsync(teamKey);
        Assert.Equal(HttpStatusCode.OK, viaTeam.StatusCode);
    }

    [Fact]
    public async Task KeyWithoutTeam_StillBlockedByUserBudget()
    {
        await UserWithOneRequestBudgetAndTeamAsync();
        var teamKey = await _gateway.NewKeyAsync("""{"user_id":"u","team_id":"t"}""");
        var personal = await _gateway.NewKeyAsync("""{"user_id":"u"}""");
        using (var spentViaTeam = await ChatAsync(teamKey))
            Assert.Equal(HttpStatusCode.OK, spentViaTeam.StatusCode);

        Assert.Equal("Budget has been exceeded! User=u Current cost: 0.014, Max budget: 0.014", await MessageOfRefusalAsync(personal));
    }

    [Fact]
    public async Task TeamOverBudget_BlocksTeamKey()
    {
        await UserWithOneRequestBudgetAndTeamAsync($$""","max_budget":{{AdminClient.ChatCost}}""");
        var teamKey = await _gateway.NewKeyAsync("""{"user_id":"u","team_id":"t"}""");
        using (var first = await ChatAsync(teamKey))
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);

        Assert.Equal("Budget has been exceeded! Team=t Current cost: 0.014, Max budget: 0.014", await MessageOfRefusalAsync(teamKey));
    }

    [Fact]
    public async Task MemberOverBudgetInTeam_BlocksOnlyThatMember()
    {
        await _gateway.PostAdminAsync("/team/new", """{"team_id":"t","max_budget":100}""");
        var added = await _gateway.PostAdminAsync("/team/member_add",
            $$"""{"team_id":"t","member":[{"role":"user","user_id":"alice"},{"role":"user","user_email":"bob@example.com"}],"max_budget_in_team":{{AdminClient.ChatCost}}}""");
        var bobId = added.GetProperty("updated_users")[1].GetProperty("user_id").GetString();
        var alice = await _gateway.NewKeyAsync("""{"user_id":"alice","team_id":"t"}""");
        var bob = await _gateway.NewKeyAsync($$"""{"user_id":"{{bobId}}","team_id":"t"}""");
        using (var first = await ChatAsync(alice))
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);

        Assert.Equal("Budget has been exceeded! User=alice in Team=t Current cost: 0.014, Max budget: 0.014", await MessageOfRefusalAsync(alice));
        using var other = await ChatAsync(bob);
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        var info = await _gateway.GetAdminAsync("/team/info?team_id=t");
        var aliceRow = info.GetProperty("team_memberships").EnumerateArray().Single(m => m.GetProperty("user_id").GetString() == "alice");
        Assert.Equal(AdminClient.ChatCost, aliceRow.GetProperty("spend").GetDecimal());
        Assert.Equal(AdminClient.ChatCost, aliceRow.GetProperty("litellm_budget_table").GetProperty("max_budget").GetDecimal());
    }

    [Fact]
    public async Task MemberBudgetRaised_AdmitsAgainAndSurvivesRestart()
    {
        var path = TestGateway.NewDatabasePath();
        try
        {
            string key;
            await using (var gateway = await TestGateway.StartAsync(AdminClient.CheapModel, databasePath: path))
            {
                await gateway.PostAdminAsync("/team/new", """{"team_id":"t"}""");
                await gateway.PostAdminAsync("/team/member_add", $$"""{"team_id":"t","member":{"role":"user","user_id":"alice"},"max_budget_in_team":{{AdminClient.ChatCost}}}""");
                key = await gateway.NewKeyAsync("""{"user_id":"alice","team_id":"t"}""");
                using var spent = await gateway.ChatAsync(key);
                Assert.Equal(HttpStatusCode.OK, spent.StatusCode);
            }
            await using (var gateway = await TestGateway.StartAsync(AdminClient.CheapModel, databasePath: path))
            {
                using (var refused = await gateway.ChatAsync(key))
                    Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
                await gateway.PostAdminAsync("/team/member_update", """{"team_id":"t","user_id":"alice","max_budget_in_team":1}""");
                using var admitted = await gateway.ChatAsync(key);
                Assert.Equal(HttpStatusCode.OK, admitted.StatusCode);
            }
        }
        finally
        {
            TestGateway.DeleteDatabase(path);
        }
    }

    [Fact]
    public async Task MemberAddToMissingTeam_404NamingTeamId()
    {
        using var response = await _gateway.PostJsonAsync("/team/member_add", """{"team_id":"nope","member":{"role":"user","user_id":"alice"}}""");
        var error = await AdminClient.ErrorOf(response);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("team_id", error.GetProperty("param").GetString());
    }

    [Fact]
    public async Task MemberDeleted_NoLongerLimitedInTeam()
    {
        await _gateway.PostAdminAsync("/team/new", """{"team_id":"t"}""");
        await _gateway.PostAdminAsync("/team/member_add", """{"team_id":"t","member":{"role":"user","user_id":"alice"},"max_budget_in_team":0}""");
        var key = await _gateway.NewKeyAsync("""{"user_id":"alice","team_id":"t"}""");
        await MessageOfRefusalAsync(key);

        await _gateway.PostAdminAsync("/team/member_delete", """{"team_id":"t","user_id":"alice"}""");

        using var admitted = await ChatAsync(key);
        Assert.Equal(HttpStatusCode.OK, admitted.StatusCode);
    }
}

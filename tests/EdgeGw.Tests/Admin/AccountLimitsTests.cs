using System.Net;
using System.Text.Json;
using EdgeGw.Tests.Infrastructure;

namespace EdgeGw.Tests.Admin;

/// <summary><c>rpm_limit</c>, <c>tpm_limit</c> and <c>max_parallel_requests</c> on users and teams, as keys have them.</summary>
public sealed class AccountLimitsTests : IAsyncLifetime
{
    private TestGateway _gateway = null!;

    public async Task InitializeAsync() => _gateway = await TestGateway.StartAsync(AdminClient.CheapModel);

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    private static void AssertLimits(JsonElement account, int? rpm, int? tpm, int? parallel)
    {
        AssertNumber(account, "rpm_limit", rpm);
        AssertNumber(account, "tpm_limit", tpm);
        AssertNumber(account, "max_parallel_requests", parallel);
    }

    private static void AssertNumber(JsonElement account, string name, int? expected)
    {
        var value = account.GetProperty(name);
        if (expected is null)
            Assert.Equal(JsonValueKind.Null, value.ValueKind);
        else
            Assert.Equal(expected.Value, value.GetInt32());
    }

    [Fact]
    public async Task UserNew_ReturnsAndStoresLimits()
    {
        var created = await _gateway.PostAdminAsync("/user/new",
            """{"user_id":"ann","auto_create_key":false,"rpm_limit":10,"tpm_limit":1000,"max_parallel_requests":2}""");

        AssertLimits(created, 10, 1000, 2);
        AssertLimits((await _gateway.GetAdminAsync("/user/info?user_id=ann")).GetProperty("user_info"), 10, 1000, 2);
    }

    [Fact]
    public async Task UserWithoutLimits_ReturnsNulls()
    {
        var created = await _gateway.PostAdminAsync("/user/new", """{"user_id":"plain","auto_create_key":false}""");

        AssertLimits(created, null, null, null);
    }

    [Fact]
    public async Task UserUpdate_ChangesOnlyNamedLimits()
    {
        await _gateway.PostAdminAsync("/user/new", """{"user_id":"bob","auto_create_key":false,"rpm_limit":5,"tpm_limit":50,"max_parallel_requests":1}""");

        var updated = await _gateway.PostAdminAsync("/user/update", """{"user_id":"bob","rpm_limit":7,"max_parallel_requests":null}""");

        AssertLimits(updated, 7, 50, null);
        AssertLimits((await _gateway.GetAdminAsync("/user/info?user_id=bob")).GetProperty("user_info"), 7, 50, null);
    }

    [Fact]
    public async Task TeamNew_ReturnsAndStoresMaxParallelRequests()
    {
        var created = await _gateway.PostAdminAsync("/team/new", """{"team_id":"eng","rpm_limit":5,"tpm_limit":50,"max_parallel_requests":3}""");

        AssertLimits(created, 5, 50, 3);
        AssertLimits((await _gateway.GetAdminAsync("/team/info?team_id=eng")).GetProperty("team_info"), 5, 50, 3);
        var listed = (await _gateway.GetAdminAsync("/team/list")).EnumerateArray().Single(t => t.GetProperty("team_id").GetString() == "eng");
        AssertLimits(listed, 5, 50, 3);
    }

    [Fact]
    public async Task TeamUpdate_SetsAndClearsMaxParallelRequests()
    {
        await _gateway.PostAdminAsync("/team/new", """{"team_id":"ops","rpm_limit":5}""");

        AssertLimits((await _gateway.PostAdminAsync("/team/update", """{"team_id":"ops","max_parallel_requests":4}""")).GetProperty("data"), 5, null, 4);
        AssertLimits((await _gateway.PostAdminAsync("/team/update", """{"team_id":"ops","max_parallel_requests":null}""")).GetProperty("data"), 5, null, null);
        AssertLimits((await _gateway.GetAdminAsync("/team/info?team_id=ops")).GetProperty("team_info"), 5, null, null);
    }

    [Theory]
    [InlineData("/user/new", """{"rpm_limit":-1}""", "rpm_limit")]
    [InlineData("/user/new", """{"tpm_limit":1.5}""", "tpm_limit")]
    [InlineData("/user/new", """{"max_parallel_requests":"2"}""", "max_parallel_requests")]
    [InlineData("/user/new", """{"max_parallel_requests":-3}""", "max_parallel_requests")]
    [InlineData("/user/update", """{"user_id":"existing","rpm_limit":"ten"}""", "rpm_limit")]
    [InlineData("/user/update", """{"user_id":"existing","tpm_limit":-100}""", "tpm_limit")]
    [InlineData("/user/update", """{"user_id":"existing","max_parallel_requests":2.5}""", "max_parallel_requests")]
    [InlineData("/team/new", """{"max_parallel_requests":-1}""", "max_parallel_requests")]
    [InlineData("/team/new", """{"max_parallel_requests":true}""", "max_parallel_requests")]
    [InlineData("/team/update", """{"team_id":"existing","max_parallel_requests":"4"}""", "max_parallel_requests")]
    [InlineData("/team/update", """{"team_id":"existing","max_parallel_requests":-4}""", "max_parallel_requests")]
    public async Task InvalidLimit_Is400NamingIt(string path, string body, string field)
    {
        await _gateway.PostAdminAsync("/user/new", """{"user_id":"existing","auto_create_key":false,"max_parallel_requests":1}""");
        await _gateway.PostAdminAsync("/team/new", """{"team_id":"existing","max_parallel_requests":1}""");

        var error = (await _gateway.PostAdminAsync(path, body, HttpStatusCode.BadRequest)).GetProperty("error");

        Assert.Equal(field, error.GetProperty("param").GetString());
        Assert.Contains(field, error.GetProperty("message").GetString(), StringComparison.Ordinal);
        AssertNumber((await _gateway.GetAdminAsync("/user/info?user_id=existing")).GetProperty("user_info"), "max_parallel_requests", 1);
        AssertNumber((await _gateway.GetAdminAsync("/team/info?team_id=existing")).GetProperty("team_info"), "max_parallel_requests", 1);
    }

    [Fact]
    public async Task InvalidUserLimit_CreatesNoUser()
    {
        await _gateway.PostAdminAsync("/user/new", """{"user_id":"nobody","rpm_limit":-1}""", HttpStatusCode.BadRequest);

        await _gateway.GetAdminAsync("/user/info?user_id=nobody", HttpStatusCode.NotFound);
        Assert.Equal(0, (await _gateway.GetAdminAsync("/key/list")).GetProperty("total_count").GetInt32());
    }

    [Fact]
    public async Task Restart_KeepsUserAndTeamLimits()
    {
        var path = TestGateway.NewDatabasePath();
        try
        {
            await using (var first = await TestGateway.StartAsync(AdminClient.CheapModel, databasePath: path))
            {
                await first.PostAdminAsync("/user/new", """{"user_id":"u","auto_create_key":false,"rpm_limit":1,"tpm_limit":2,"max_parallel_requests":3}""");
                await first.PostAdminAsync("/team/new", """{"team_id":"t","rpm_limit":4,"tpm_limit":5,"max_parallel_requests":6}""");
                await first.PostAdminAsync("/user/update", """{"user_id":"u","tpm_limit":20}""");
                await first.PostAdminAsync("/team/update", """{"team_id":"t","max_parallel_requests":60}""");
            }

            await using var second = await TestGateway.StartAsync(AdminClient.CheapModel, databasePath: path);
            AssertLimits((await second.GetAdminAsync("/user/info?user_id=u")).GetProperty("user_info"), 1, 20, 3);
            AssertLimits((await second.GetAdminAsync("/team/info?team_id=t")).GetProperty("team_info"), 4, 5, 60);
        }
        finally
        {
            TestGateway.DeleteDatabase(path);
        }
    }
}

using System.Net;
using EdgeGw.Tests.Infrastructure;

namespace EdgeGw.Tests.Admin;

public sealed class AdminValidationTests : IAsyncLifetime
{
    private TestGateway _gateway = null!;

    public async Task InitializeAsync() => _gateway = await TestGateway.StartAsync(AdminClient.CheapModel);

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    [Fact]
    public async Task ConcurrentAdminWrites_EachReadsItsOwnBody()
    {
        // Admin writes queue behind one gate; a body read while waiting must stay that request's own
        // (its pooled buffer once went back to the pool before the fields were read).
        var results = await Task.WhenAll(Enumerable.Range(0, 40).Select(async i =>
        {
            var alias = $"alias-{i:D2}-" + new string((char)('a' + i % 26), 200 + i);
            var created = await _gateway.PostAdminAsync("/key/generate", $$$"""{"key_alias":"{{{alias}}}","metadata":{"n":{{{i}}}}}""");
            return (Expected: alias, Got: created.GetProperty("key_alias").GetString(), N: created.GetProperty("metadata").GetProperty("n").GetInt32(), I: i);
        }));

        Assert.All(results, r =>
        {
            Assert.Equal(r.Expected, r.Got);
            Assert.Equal(r.I, r.N);
        });
    }

    [Theory]
    [InlineData("/key/generate", """{"team_id":"no-such-team"}""", "team_id")]
    [InlineData("/key/generate", """{"max_budget":-1}""", "max_budget")]
    [InlineData("/key/generate", """{"max_budget":"ten"}""", "max_budget")]
    [InlineData("/key/generate", """{"budget_duration":"3 days"}""", "budget_duration")]
    [InlineData("/key/generate", """{"budget_duration":"0d"}""", "budget_duration")]
    [InlineData("/key/generate", """{"duration":"forever"}""", "duration")]
    [InlineData("/key/generate", """{"models":"cheap"}""", "models")]
    [InlineData("/key/generate", """{"models":[1,2]}""", "models")]
    [InlineData("/key/generate", """{"rpm_limit":-5}""", "rpm_limit")]
    [InlineData("/key/generate", """{"tpm_limit":1.5}""", "tpm_limit")]
    [InlineData("/key/generate", """{"metadata":[1]}""", "metadata")]
    [InlineData("/key/generate", """{"blocked":"yes"}""", "blocked")]
    [InlineData("/key/generate", """{"key":"not-an-sk-key"}""", "key")]
    [InlineData("/key/generate", """[]""", "body")]
    [InlineData("/key/generate", """{not json""", "body")]
    [InlineData("/key/update", """{"max_budget":1}""", "key")]
    [InlineData("/key/delete", """{}""", "keys")]
    [InlineData("/team/new", """{"max_budget":-0.01}""", "max_budget")]
    [InlineData("/team/new", """{"budget_duration":"1y"}""", "budget_duration")]
    [InlineData("/team/update", """{"models":["a"]}""", "team_id")]
    [InlineData("/team/delete", """{}""", "team_ids")]
    [InlineData("/user/new", """{"max_budget":-3}""", "max_budget")]
    [InlineData("/user/new", """{"models":{"a":1}}""", "models")]
    [InlineData("/user/delete", """{}""", "user_ids")]
    [InlineData("/key/generate", """{"key_alias":"a\ud800"}""", "key_alias")]
    [InlineData("/team/new", """{"team_id":"\udfff"}""", "team_id")]
    [InlineData("/user/new", """{"user_email":"x\ud800@example.com"}""", "user_email")]
    [InlineData("/key/generate", """{"models":["ok","\ud800"]}""", "models")]
    [InlineData("/team/new", """{"budget_duration":"1000000w"}""", "budget_duration")]
    [InlineData("/key/generate", """{"budget_duration":"2147483647d"}""", "budget_duration")]
    [InlineData("/key/generate", """{"duration":"99999999mo"}""", "duration")]
    [InlineData("/key/generate", """{"duration":"5000000d"}""", "duration")]
    public async Task InvalidField_Is400NamingIt(string path, string body, string field)
    {
        var error = (await _gateway.PostAdminAsync(path, body, HttpStatusCode.BadRequest)).GetProperty("error");

        Assert.Equal(field, error.GetProperty("param").GetString());
        Assert.Contains(field, error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task InvalidUtf8InAdminString_Is400NamingIt()
    {
        var body = new ByteArrayContent([.. "{\"key_alias\":\""u8, 0xC3, 0x28, .. "\"}"u8]);
        body.Headers.ContentType = new("application/json");
        using var response = await _gateway.Client.PostAsync("/key/generate", body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("key_alias", (await AdminClient.ErrorOf(response)).GetProperty("param").GetString());
    }

    [Fact]
    public async Task LoneSurrogateInTeamMember_Is400NamingMember()
    {
        await _gateway.PostAdminAsync("/team/new", """{"team_id":"t0"}""");
        var error = (await _gateway.PostAdminAsync("/team/member_add", """{"team_id":"t0","member":{"user_id":"\ud800"}}""", HttpStatusCode.BadRequest)).GetProperty("error");
        Assert.Equal("member", error.GetProperty("param").GetString());
    }

    [Fact]
    public async Task OverflowingBudgetDuration_CreatesNoTeam()
    {
        await _gateway.PostAdminAsync("/team/new", """{"team_id":"t","budget_duration":"1000000w"}""", HttpStatusCode.BadRequest);
        await _gateway.GetAdminAsync("/team/info?team_id=t", HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("end_date=9999-12-31", "end_date")]
    [InlineData("start_date=9999-12-31&end_date=9999-12-31", "start_date")]
    [InlineData("start_date=0001-01-01", "start_date")]
    public async Task OutOfRangeSpendDate_Is400NamingIt(string query, string field)
    {
        var error = (await _gateway.GetAdminAsync("/spend/logs?" + query, HttpStatusCode.BadRequest)).GetProperty("error");
        Assert.Equal(field, error.GetProperty("param").GetString());
    }

    [Fact]
    public async Task DuplicateAlias_Is400()
    {
        await _gateway.PostAdminAsync("/key/generate", """{"key_alias":"same"}""");
        var error = await _gateway.PostAdminAsync("/key/generate", """{"key_alias":"same"}""", HttpStatusCode.BadRequest);
        Assert.Equal("key_alias", error.GetProperty("error").GetProperty("param").GetString());
    }

    [Fact]
    public async Task MasterKeyAsCustomKey_Is400AndCreatesNothing()
    {
        var error = await _gateway.PostAdminAsync("/key/generate", $$"""{"key":"{{TestGateway.MasterKey}}"}""", HttpStatusCode.BadRequest);

        Assert.Equal("key", error.GetProperty("error").GetProperty("param").GetString());
        Assert.DoesNotContain(TestGateway.MasterKey, error.GetRawText(), StringComparison.Ordinal);
        Assert.Equal(0, (await _gateway.GetAdminAsync("/key/list")).GetProperty("total_count").GetInt32());
    }

    [Fact]
    public async Task ExistingKeyAsCustomKey_Is400()
    {
        await _gateway.PostAdminAsync("/key/generate", """{"key":"sk-custom-key-0000000001"}""");
        var error = await _gateway.PostAdminAsync("/key/generate", """{"key":"sk-custom-key-0000000001"}""", HttpStatusCode.BadRequest);
        Assert.Equal("key", error.GetProperty("error").GetProperty("param").GetString());
    }

    [Fact]
    public async Task RegenerateToMasterKey_Is400AndKeepsTheOldKey()
    {
        var key = await _gateway.NewKeyAsync();

        var error = await _gateway.PostAdminAsync("/key/regenerate", $$"""{"key":"{{key}}","new_key":"{{TestGateway.MasterKey}}"}""", HttpStatusCode.BadRequest);

        Assert.Equal("new_key", error.GetProperty("error").GetProperty("param").GetString());
        using var response = await _gateway.ChatAsync(key);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task KeyListPageFarPastTheEnd_IsEmptyNotPageOne()
    {
        await _gateway.NewKeyAsync();

        var list = await _gateway.GetAdminAsync("/key/list?page=2147483647&size=100");

        Assert.Equal(0, list.GetProperty("keys").GetArrayLength());
        Assert.Equal(1, list.GetProperty("total_count").GetInt32());
        Assert.Equal(2147483647, list.GetProperty("current_page").GetInt32());
    }

    [Fact]
    public async Task DuplicateTeam_Is400()
    {
        await _gateway.PostAdminAsync("/team/new", """{"team_id":"dup"}""");
        var error = await _gateway.PostAdminAsync("/team/new", """{"team_id":"dup"}""", HttpStatusCode.BadRequest);
        Assert.Equal("team_id", error.GetProperty("error").GetProperty("param").GetString());
    }

    [Fact]
    public async Task InvalidInput_CreatesNothing()
    {
        await _gateway.PostAdminAsync("/key/generate", """{"key_alias":"x","max_budget":-1}""", HttpStatusCode.BadRequest);
        var list = await _gateway.GetAdminAsync("/key/list");
        Assert.Equal(0, list.GetProperty("total_count").GetInt32());
    }

    [Theory]
    [InlineData("/key/list?page=0", "page")]
    [InlineData("/key/list?size=abc", "size")]
    [InlineData("/key/list?page=2147483648", "page")]
    [InlineData("/key/list?size=101", "size")]
    [InlineData("/spend/logs?start_date=yesterday", "start_date")]
    [InlineData("/global/spend/report?group_by=planet", "group_by")]
    [InlineData("/team/info", "team_id")]
    [InlineData("/user/info", "user_id")]
    public async Task InvalidQuery_Is400NamingIt(string pathAndQuery, string field)
    {
        var error = (await _gateway.GetAdminAsync(pathAndQuery, HttpStatusCode.BadRequest)).GetProperty("error");
        Assert.Equal(field, error.GetProperty("param").GetString());
    }
}

using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using EdgeGw.Tests.Infrastructure;

namespace EdgeGw.Tests.Admin;

/// <summary>
/// The admin reads the UI pages need, in LiteLLM's shapes, over whichever store holds the data: the same
/// facts run on SQLite (<see cref="UiAdminApiSqliteTests"/>) and PostgreSQL (<c>UiAdminApiPostgresTests</c>).
/// Two days of traffic: alice's key (team Alpha) twice on day 1 and once on day 2, bob's key once on day 1
/// and once, failing, on day 2.
/// </summary>
public abstract class UiAdminApiTests : IAsyncLifetime
{
    public const string Models = AdminClient.CheapModel + """

        - model_name: broken
          litellm_params:
            model: openai/gpt-4o
            api_base: http://127.0.0.1:1/v1
            api_key: sk-upstream
        """;

    private const string Range = "start_date=2026-03-01%2000:00:00&end_date=2026-03-02%2023:59:59";
    private const string Days = "start_date=2026-03-01&end_date=2026-03-02";

    protected TestGateway Gateway { get; private set; } = null!;
    protected FakeTime Time { get; } = new(new DateTimeOffset(2026, 3, 1, 9, 0, 0, TimeSpan.Zero));
    protected string AliceKey { get; private set; } = "";
    protected string BobKey { get; private set; } = "";
    /// <summary>A key of no user: it may read nobody's data.</summary>
    protected string LoneKey { get; private set; } = "";

    protected abstract Task<TestGateway> StartAsync(string models, FakeTime time);

    public async Task InitializeAsync()
    {
        Gateway = await StartAsync(Models, Time);
        await Gateway.PostAdminAsync("/team/new", """{"team_id":"t-a","team_alias":"Alpha"}""");
        await Gateway.PostAdminAsync("/user/new", """{"user_id":"alice","user_email":"alice@example.com","auto_create_key":false}""");
        await Gateway.PostAdminAsync("/user/new", """{"user_id":"bob","user_email":"bob@Corp.io","auto_create_key":false}""");
        await Gateway.PostAdminAsync("/team/member_add", """{"team_id":"t-a","member":{"role":"user","user_id":"alice"}}""");
        AliceKey = await Gateway.NewKeyAsync("""{"key_alias":"ka","team_id":"t-a","user_id":"alice","max_budget":10}""");
        Time.Advance(TimeSpan.FromMinutes(1));
        BobKey = await Gateway.NewKeyAsync("""{"key_alias":"kb","user_id":"bob","max_budget":5}""");
        Time.Advance(TimeSpan.FromMinutes(1));
        LoneKey = await Gateway.NewKeyAsync("""{"key_alias":"lone"}""");
        // Day 1, 09:02 UTC.
        await ChatAsync(AliceKey, "cheap", ok: true);
        await ChatAsync(AliceKey, "cheap", ok: true);
        await ChatAsync(BobKey, "other", ok: true);
        Time.Advance(TimeSpan.FromDays(1));
        // Day 2, 09:02 UTC.
        await ChatAsync(AliceKey, "cheap", ok: true);
        await ChatAsync(BobKey, "broken", ok: false);
    }

    public async Task DisposeAsync() => await Gateway.DisposeAsync();

    private async Task ChatAsync(string key, string model, bool ok)
    {
        using var response = await Gateway.ChatAsync(key, $$"""{"model":"{{model}}","messages":[{"role":"user","content":"hi"}]}""");
        Assert.True(ok == response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    protected static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    private async Task<long> TotalAsync(string query) => (await Gateway.GetAdminAsync($"/spend/logs/ui?{Range}&{query}")).GetProperty("total").GetInt64();

    [Fact]
    public async Task SpendLogsUi_PagesNewestFirstWithLiteLlmsEnvelope()
    {
        var first = await Gateway.GetAdminAsync($"/spend/logs/ui?{Range}&page_size=2");
        var last = await Gateway.GetAdminAsync($"/spend/logs/ui?{Range}&page_size=2&page=3");
        var past = await Gateway.GetAdminAsync($"/spend/logs/ui?{Range}&page_size=2&page=4");

        Assert.Equal(5, first.GetProperty("total").GetInt32());
        Assert.Equal(3, first.GetProperty("total_pages").GetInt32());
        Assert.Equal(2, first.GetProperty("page_size").GetInt32());
        var rows = first.GetProperty("data").EnumerateArray().ToArray();
        Assert.Equal(2, rows.Length);
        Assert.All(rows, r => Assert.StartsWith("2026-03-02", r.GetProperty("startTime").GetString(), StringComparison.Ordinal));
        var oldest = Assert.Single(last.GetProperty("data").EnumerateArray());
        Assert.StartsWith("2026-03-01", oldest.GetProperty("startTime").GetString(), StringComparison.Ordinal);
        Assert.Equal(3, last.GetProperty("page").GetInt32());
        Assert.Empty(past.GetProperty("data").EnumerateArray());
        Assert.Equal(5, past.GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task SpendLogsUi_EachFilterNarrowsTheRows()
    {
        Assert.Equal(3, await TotalAsync("key_alias=ka"));
        Assert.Equal(3, await TotalAsync("api_key=" + Uri.EscapeDataString(AliceKey)));
        Assert.Equal(2, await TotalAsync("api_key=" + Hash(BobKey)));
        Assert.Equal(0, await TotalAsync("key_alias=nobody"));
        Assert.Equal(3, await TotalAsync("team_id=t-a"));
        Assert.Equal(2, await TotalAsync("user_id=bob"));
        Assert.Equal(1, await TotalAsync("status_filter=failure"));
        Assert.Equal(4, await TotalAsync("status_filter=success"));
        Assert.Equal(3, await TotalAsync("model=cheap"));
        Assert.Equal(4, await TotalAsync("min_spend=0.0001"));
        Assert.Equal(1, await TotalAsync("max_spend=0"));
        Assert.Equal(1, await TotalAsync("key_alias=kb&status_filter=failure&model=gpt-4o"));
        var request = (await Gateway.GetAdminAsync($"/spend/logs/ui?{Range}&user_id=bob&status_filter=failure")).GetProperty("data")[0].GetProperty("request_id").GetString()!;
        Assert.Equal(1, await TotalAsync("request_id=" + Uri.EscapeDataString(request)));
    }

    [Fact]
    public async Task SpendLogsUi_DateTimesIncludeBothEnds()
    {
        // Day 1's requests started at exactly 09:02:00.
        Assert.Equal(3, (await Gateway.GetAdminAsync("/spend/logs/ui?start_date=2026-03-01%2000:00:00&end_date=2026-03-01%2009:02:00")).GetProperty("total").GetInt32());
        Assert.Equal(0, (await Gateway.GetAdminAsync("/spend/logs/ui?start_date=2026-03-01%2009:02:01&end_date=2026-03-01%2023:59:59")).GetProperty("total").GetInt32());
        Assert.Equal(2, (await Gateway.GetAdminAsync("/spend/logs/ui?start_date=2026-03-02%2009:02:00&end_date=2026-03-09%2000:00:00")).GetProperty("total").GetInt32());
        Assert.Equal(3, (await Gateway.GetAdminAsync("/spend/logs/ui?start_date=2026-03-01&end_date=2026-03-01")).GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task UserDailyActivity_SumsEachDayWithLiteLlmsBreakdowns()
    {
        var activity = await Gateway.GetAdminAsync($"/user/daily/activity?{Days}");

        var days = activity.GetProperty("results").EnumerateArray().ToArray();
        Assert.Equal(["2026-03-02", "2026-03-01"], days.Select(d => d.GetProperty("date").GetString()));
        var day1 = days[1];
        var metrics = day1.GetProperty("metrics");
        Assert.Equal(3, metrics.GetProperty("api_requests").GetInt32());
        Assert.Equal(3, metrics.GetProperty("successful_requests").GetInt32());
        Assert.Equal(0, metrics.GetProperty("failed_requests").GetInt32());
        Assert.Equal(metrics.GetProperty("prompt_tokens").GetInt32() + metrics.GetProperty("completion_tokens").GetInt32(), metrics.GetProperty("total_tokens").GetInt32());
        var breakdown = day1.GetProperty("breakdown");
        var alice = breakdown.GetProperty("api_keys").GetProperty(Hash(AliceKey));
        Assert.Equal(2 * AdminClient.ChatCost, alice.GetProperty("metrics").GetProperty("spend").GetDecimal());
        Assert.Equal("ka", alice.GetProperty("metadata").GetProperty("key_alias").GetString());
        Assert.Equal("t-a", alice.GetProperty("metadata").GetProperty("team_id").GetString());
        var cheap = breakdown.GetProperty("models").GetProperty("cheap");
        Assert.Equal(2, cheap.GetProperty("metrics").GetProperty("api_requests").GetInt32());
        Assert.Equal(2 * AdminClient.ChatCost, cheap.GetProperty("api_key_breakdown").GetProperty(Hash(AliceKey)).GetProperty("metrics").GetProperty("spend").GetDecimal());
        Assert.Equal(3, breakdown.GetProperty("providers").GetProperty("mock").GetProperty("metrics").GetProperty("api_requests").GetInt32());
        Assert.Equal(["cheap", "other"], breakdown.GetProperty("model_groups").EnumerateObject().Select(p => p.Name));
        Assert.Equal(["alice", "bob"], breakdown.GetProperty("entities").EnumerateObject().Select(p => p.Name));
        Assert.Equal(1, days[0].GetProperty("metrics").GetProperty("failed_requests").GetInt32());
        var meta = activity.GetProperty("metadata");
        Assert.Equal(5, meta.GetProperty("total_api_requests").GetInt32());
        Assert.Equal(4, meta.GetProperty("total_successful_requests").GetInt32());
        Assert.Equal(1, meta.GetProperty("total_failed_requests").GetInt32());
        Assert.Equal(days.Sum(d => d.GetProperty("metrics").GetProperty("spend").GetDecimal()), meta.GetProperty("total_spend").GetDecimal());
        Assert.Equal(1, meta.GetProperty("page").GetInt32());
        Assert.Equal(1, meta.GetProperty("total_pages").GetInt32());
        Assert.False(meta.GetProperty("has_more").GetBoolean());
    }

    [Fact]
    public async Task UserDailyActivity_FiltersAndPagesItsRows()
    {
        async Task<int> Requests(string query) =>
            (await Gateway.GetAdminAsync($"/user/daily/activity?{Days}&{query}")).GetProperty("metadata").GetProperty("total_api_requests").GetInt32();

        Assert.Equal(3, await Requests("model=cheap"));
        Assert.Equal(2, await Requests("api_key=" + Hash(BobKey)));
        Assert.Equal(2, await Requests("user_id=bob"));
        Assert.Equal(2, (await Gateway.GetAdminAsync("/user/daily/activity?start_date=2026-03-02&end_date=2026-03-02")).GetProperty("metadata").GetProperty("total_api_requests").GetInt32());
        Assert.Empty((await Gateway.GetAdminAsync("/user/daily/activity?start_date=2026-02-01&end_date=2026-02-28")).GetProperty("results").EnumerateArray());

        // Rows: day 2 (alice cheap, bob broken), day 1 (alice cheap, bob other): newest day first.
        var first = await Gateway.GetAdminAsync($"/user/daily/activity?{Days}&page_size=3");
        var second = await Gateway.GetAdminAsync($"/user/daily/activity?{Days}&page_size=3&page=2");
        Assert.Equal(2, first.GetProperty("metadata").GetProperty("total_pages").GetInt32());
        Assert.True(first.GetProperty("metadata").GetProperty("has_more").GetBoolean());
        Assert.False(second.GetProperty("metadata").GetProperty("has_more").GetBoolean());
        Assert.Equal(["2026-03-02", "2026-03-01"], first.GetProperty("results").EnumerateArray().Select(d => d.GetProperty("date").GetString()));
        var rest = Assert.Single(second.GetProperty("results").EnumerateArray());
        Assert.Equal("2026-03-01", rest.GetProperty("date").GetString());
        Assert.Equal(1, second.GetProperty("metadata").GetProperty("total_api_requests").GetInt32());
        Assert.Equal(5, first.GetProperty("metadata").GetProperty("total_api_requests").GetInt32() + second.GetProperty("metadata").GetProperty("total_api_requests").GetInt32());
    }

    [Fact]
    public async Task TeamDailyActivity_GroupsByTeamWithItsAlias()
    {
        var all = await Gateway.GetAdminAsync($"/team/daily/activity?{Days}");
        var team = await Gateway.GetAdminAsync($"/team/daily/activity?{Days}&team_ids=t-a,t-none");

        var day1 = all.GetProperty("results").EnumerateArray().Last().GetProperty("breakdown").GetProperty("entities");
        Assert.Equal(["t-a"], day1.EnumerateObject().Select(p => p.Name)); // teamless traffic has no row, as in LiteLLM's daily team table
        Assert.Equal(3, all.GetProperty("metadata").GetProperty("total_api_requests").GetInt32());
        Assert.Equal("Alpha", day1.GetProperty("t-a").GetProperty("metadata").GetProperty("team_alias").GetString());
        Assert.Equal(2, day1.GetProperty("t-a").GetProperty("metrics").GetProperty("api_requests").GetInt32());
        Assert.Equal(3, team.GetProperty("metadata").GetProperty("total_api_requests").GetInt32());
        Assert.Equal(3 * AdminClient.ChatCost, team.GetProperty("metadata").GetProperty("total_spend").GetDecimal());
    }

    [Fact]
    public async Task UserList_FiltersSortsAndPagesAsLiteLlm()
    {
        static string[] Ids(JsonElement list) => [.. list.GetProperty("users").EnumerateArray().Select(u => u.GetProperty("user_id").GetString()!)];

        var all = await Gateway.GetAdminAsync("/user/list");
        Assert.Equal(2, all.GetProperty("total").GetInt32());
        Assert.Equal(25, all.GetProperty("page_size").GetInt32());
        var alice = all.GetProperty("users").EnumerateArray().Single(u => u.GetProperty("user_id").GetString() == "alice");
        Assert.Equal(["t-a"], alice.GetProperty("teams").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal(1, alice.GetProperty("key_count").GetInt32());
        Assert.Equal("internal_user", alice.GetProperty("user_role").GetString());
        Assert.Equal("alice@example.com", alice.GetProperty("user_email").GetString());
        Assert.Equal(["bob"], Ids(await Gateway.GetAdminAsync("/user/list?user_email=corp.IO")));
        Assert.Equal(["alice"], Ids(await Gateway.GetAdminAsync("/user/list?team=t-a")));
        Assert.Equal(["alice"], Ids(await Gateway.GetAdminAsync("/user/list?user_ids=LIC")));
        Assert.Equal(["alice", "bob"], Ids(await Gateway.GetAdminAsync("/user/list?user_ids=bob,alice&sort_by=user_id")));
        Assert.Equal(["bob", "alice"], Ids(await Gateway.GetAdminAsync("/user/list?sort_by=spend")));
        Assert.Equal(["alice", "bob"], Ids(await Gateway.GetAdminAsync("/user/list?sort_by=spend&sort_order=desc")));
        Assert.Empty(Ids(await Gateway.GetAdminAsync("/user/list?role=proxy_admin")));
        var page2 = await Gateway.GetAdminAsync("/user/list?sort_by=user_id&page_size=1&page=2");
        Assert.Equal(["bob"], Ids(page2));
        Assert.Equal(2, page2.GetProperty("total_pages").GetInt32());
        Assert.Equal(2, page2.GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task KeyList_FiltersSortsAndPagesAsLiteLlm()
    {
        static string[] Tokens(JsonElement list) => [.. list.GetProperty("keys").EnumerateArray().Select(k => k.ValueKind == JsonValueKind.String ? k.GetString()! : k.GetProperty("token").GetString()!)];

        Assert.Equal([Hash(LoneKey), Hash(BobKey), Hash(AliceKey)], Tokens(await Gateway.GetAdminAsync("/key/list")));
        Assert.Equal([Hash(AliceKey)], Tokens(await Gateway.GetAdminAsync("/key/list?key_alias=ka")));
        Assert.Equal([Hash(BobKey)], Tokens(await Gateway.GetAdminAsync("/key/list?key_hash=" + Hash(BobKey))));
        Assert.Equal([Hash(AliceKey), Hash(BobKey), Hash(LoneKey)], Tokens(await Gateway.GetAdminAsync("/key/list?sort_by=key_alias&sort_order=asc")));
        Assert.Equal([Hash(AliceKey), Hash(BobKey), Hash(LoneKey)], Tokens(await Gateway.GetAdminAsync("/key/list?sort_by=spend")));
        var page = await Gateway.GetAdminAsync("/key/list?size=2&page=2&return_full_object=true");
        var key = Assert.Single(page.GetProperty("keys").EnumerateArray());
        Assert.Equal("ka", key.GetProperty("key_alias").GetString());
        Assert.Equal(3, page.GetProperty("total_count").GetInt32());
        Assert.Equal(2, page.GetProperty("total_pages").GetInt32());
    }
}

/// <summary><see cref="UiAdminApiTests"/> on the embedded SQLite store, and what does not depend on the store.</summary>
public sealed class UiAdminApiSqliteTests : UiAdminApiTests
{
    protected override Task<TestGateway> StartAsync(string models, FakeTime time) => TestGateway.StartAsync(models, time: time);

    [Theory]
    [InlineData("/spend/logs/ui?end_date=2026-03-01%2000:00:00", "start_date")]
    [InlineData("/spend/logs/ui?start_date=2026-03-01%2000:00:00", "end_date")]
    [InlineData("/spend/logs/ui?start_date=2026-03-01%2000:00:00&end_date=tomorrow", "end_date")]
    [InlineData("/spend/logs/ui?start_date=2026-03-02%2000:00:00&end_date=2026-03-01%2000:00:00", "end_date")]
    [InlineData("/spend/logs/ui?start_date=2026-03-01&end_date=2026-03-02&status_filter=maybe", "status_filter")]
    [InlineData("/spend/logs/ui?start_date=2026-03-01&end_date=2026-03-02&page_size=101", "page_size")]
    [InlineData("/spend/logs/ui?start_date=2026-03-01&end_date=2026-03-02&page=0", "page")]
    [InlineData("/spend/logs/ui?start_date=2026-03-01&end_date=2026-03-02&min_spend=-1", "min_spend")]
    [InlineData("/spend/logs/ui?start_date=2026-03-01&end_date=2026-03-02&min_spend=2&max_spend=1", "max_spend")]
    [InlineData("/user/daily/activity?end_date=2026-03-02", "start_date")]
    [InlineData("/user/daily/activity?start_date=2026-03-01&end_date=2026-13-01", "end_date")]
    [InlineData("/user/daily/activity?start_date=2026-03-02&end_date=2026-03-01", "end_date")]
    [InlineData("/user/daily/activity?start_date=2026-03-01&end_date=2026-03-02&page_size=1001", "page_size")]
    [InlineData("/team/daily/activity?start_date=2026-03-01", "end_date")]
    [InlineData("/team/daily/activity?start_date=2026-03-01&end_date=2026-03-02&page=-1", "page")]
    [InlineData("/user/list?page_size=0", "page_size")]
    [InlineData("/user/list?sort_by=planet", "sort_by")]
    [InlineData("/user/list?sort_by=spend&sort_order=sideways", "sort_order")]
    [InlineData("/key/list?sort_by=planet", "sort_by")]
    [InlineData("/key/list?sort_order=up", "sort_order")]
    [InlineData("/key/list?return_full_object=maybe", "return_full_object")]
    public async Task BadParameter_Is400NamingIt(string pathAndQuery, string param)
    {
        var error = (await Gateway.GetAdminAsync(pathAndQuery, HttpStatusCode.BadRequest)).GetProperty("error");

        Assert.Equal(param, error.GetProperty("param").GetString());
        Assert.Contains(param, error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/user/list")]
    [InlineData("/team/daily/activity?start_date=2026-03-01&end_date=2026-03-02")]
    [InlineData("/model/live")]
    public async Task VirtualKey_Is403OnAdminOnlyReads(string pathAndQuery)
    {
        var error = (await Gateway.GetAdminAsync(pathAndQuery, HttpStatusCode.Forbidden, key: AliceKey)).GetProperty("error");
        Assert.DoesNotContain(AliceKey, error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/spend/logs/ui?start_date=2026-03-01&end_date=2026-03-02")]
    [InlineData("/user/daily/activity?start_date=2026-03-01&end_date=2026-03-02")]
    [InlineData("/key/list")]
    public async Task KeyOfNoUser_Is403(string pathAndQuery) =>
        await Gateway.GetAdminAsync(pathAndQuery, HttpStatusCode.Forbidden, key: LoneKey);

    [Theory]
    [InlineData("/spend/logs/ui?start_date=2026-03-01&end_date=2026-03-02&user_id=alice")]
    [InlineData("/user/daily/activity?start_date=2026-03-01&end_date=2026-03-02&user_id=alice")]
    [InlineData("/key/list?user_id=alice")]
    public async Task KeyAskingForAnotherUser_Is403(string pathAndQuery)
    {
        var error = (await Gateway.GetAdminAsync(pathAndQuery, HttpStatusCode.Forbidden, key: BobKey)).GetProperty("error");
        Assert.Equal("user_id", error.GetProperty("param").GetString());
        Assert.Equal("auth_error", error.GetProperty("type").GetString());
    }

    [Fact]
    public async Task KeyOfAUser_SeesOnlyItsUsersLogsActivityAndKeys()
    {
        var logs = await Gateway.GetAdminAsync("/spend/logs/ui?start_date=2026-03-01&end_date=2026-03-02", key: BobKey);
        var activity = await Gateway.GetAdminAsync("/user/daily/activity?start_date=2026-03-01&end_date=2026-03-02", key: BobKey);
        var keys = await Gateway.GetAdminAsync("/key/list", key: BobKey);

        Assert.Equal(2, logs.GetProperty("total").GetInt32());
        Assert.All(logs.GetProperty("data").EnumerateArray(), r => Assert.Equal("bob", r.GetProperty("user").GetString()));
        Assert.Equal(2, activity.GetProperty("metadata").GetProperty("total_api_requests").GetInt32());
        Assert.Equal([Hash(BobKey)], keys.GetProperty("keys").EnumerateArray().Select(k => k.GetString()));
    }
}

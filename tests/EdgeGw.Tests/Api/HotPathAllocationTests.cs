using System.Text;
using EdgeGw.Api;
using EdgeGw.Auth;
using EdgeGw.Spend;
using EdgeGw.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeGw.Tests.Api;

/// <summary>
/// Per-request work that allocates nothing today (bench/ KeyCheckBenchmarks, ChatRequestBenchmarks):
/// a regression fails here, not in a benchmark run nobody looks at.
/// </summary>
public sealed class HotPathAllocationTests
{
    internal static long AllocatedBy(Action run)
    {
        for (var i = 0; i < 2_000; i++)
            run(); // warm up: JIT tiers and on-stack replacement allocate on their own
        // The least of three rounds: a per-call allocation shows in every round, while a one-off
        // (a late tier-up, a lazily built cache) lands in one round only and is not the code's cost.
        var least = long.MaxValue;
        for (var round = 0; round < 3 && least > 0; round++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < 10_000; i++)
                run();
            least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
        }
        return least;
    }

    [Fact]
    public void InvalidTextCheckOnEscapedPrompt_AllocatesNothing()
    {
        // Translated providers check every string before decoding; prompts are full of escapes.
        var prompt = string.Concat(Enumerable.Repeat("line of text\\n\\\"quoted\\\" caf\\u00e9 ", 200));
        var body = System.Text.Encoding.UTF8.GetBytes($$"""{"model":"claude","max_tokens":64,"messages":[{"role":"user","content":"{{prompt}}"}]}""");

        Assert.Null(EdgeGw.Json.JsonText.InvalidTextError(body));
        Assert.Equal(0, AllocatedBy(() => EdgeGw.Json.JsonText.InvalidTextError(body)));
    }

    [Fact]
    public void ParseChatRequest_AllocatesNothing()
    {
        var body = Encoding.UTF8.GetBytes("""
            {"model":"my-gpt","stream":true,"temperature":0.2,"messages":[
              {"role":"system","content":"You are a helpful assistant."},
              {"role":"user","content":"What is the weather like in Boston today?"}],
             "tools":[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object"}}}]}
            """);
        var (parsed, calls) = (0L, 0L);

        var allocated = AllocatedBy(() =>
        {
            Span<char> name = stackalloc char[ChatRequestParser.MaxModelNameChars];
            ChatRequestParser.Parse(body, out var request, name, out var length);
            parsed += length + request.Messages.Length;
            calls++;
        });

        Span<char> check = stackalloc char[ChatRequestParser.MaxModelNameChars];
        ChatRequestParser.Parse(body, out var once, check, out var nameLength);
        Assert.Equal("my-gpt", check[..nameLength].ToString());
        Assert.Equal(calls * (nameLength + once.Messages.Length), parsed); // every call parsed the same request
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void ScanForLiteLlmFieldsAndHeaders_AllocatesNothingWithoutThem()
    {
        var body = Encoding.UTF8.GetBytes("""
            {"model":"my-gpt","stream":true,"messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"What is the weather?"}]}
            """);
        var headers = new HeaderDictionary { ["Authorization"] = "Bearer sk-x", ["Content-Type"] = "application/json", ["x-request-id"] = "r1" };
        var found = 0;

        var allocated = AllocatedBy(() =>
        {
            var stripped = EdgeGw.Routing.RequestRoutingOptions.Extract(body, anthropicMetadata: false, out var options);
            options = LiteLlmHeaders.Apply(headers, options);
            if (stripped is not null || options.Attribution is not null || options.Timeout is not null)
                found++;
        });

        Assert.Equal(0, found);
        Assert.Equal(0, allocated);
    }

    [Fact]
    public async Task VirtualKeyLookupAllowlistAndBudgets_AllocateNothing()
    {
        var path = Path.Combine(Path.GetTempPath(), $"edgegw-alloc-{Guid.NewGuid():N}.db");
        var data = GatewayData.Open(path, TimeProvider.System, NullLoggerFactory.Instance);
        try
        {
            var key = VirtualKeyGenerator.NewKey();
            var now = DateTimeOffset.UtcNow;
            data.Accounts.Teams["team"] = new Account<TeamSettings>(new TeamSettings { TeamId = "team", Models = ["gpt-4o", "beta-group"], MaxBudgetNanos = Money.ToNanos(500) }, new SpendCounter());
            data.Accounts.Users["user"] = new Account<UserSettings>(new UserSettings { UserId = "user", MaxBudgetNanos = Money.ToNanos(500) }, new SpendCounter());
            var settings = new KeySettings
            {
                Token = TokenHash.FromKey(key), KeyName = VirtualKeyGenerator.Abbreviate(key), TeamId = "team", UserId = "user",
                Models = ["gpt-4o", "beta-group"], MaxBudgetNanos = Money.ToNanos(100), CreatedAt = now, UpdatedAt = now,
            };
            data.Accounts.Keys[settings.Token] = new KeyAccount(settings, new SpendCounter());
            data.Accounts.Members[("team", "user")] = new TeamMember(new TeamMemberSettings { TeamId = "team", UserId = "user", MaxBudgetNanos = Money.ToNanos(50) }, new SpendCounter());
            // The user's key outside the team: checked against the user's own budget instead.
            var personalKey = VirtualKeyGenerator.NewKey();
            var personal = settings with { Token = TokenHash.FromKey(personalKey), KeyName = VirtualKeyGenerator.Abbreviate(personalKey), TeamId = null };
            data.Accounts.Keys[personal.Token] = new KeyAccount(personal, new SpendCounter());
            var auth = new Authenticator("sk-master", data.Accounts, TimeProvider.System);
            var context = new DefaultHttpContext();
            context.Request.Headers.Authorization = "Bearer " + key;
            var personalContext = new DefaultHttpContext();
            personalContext.Request.Headers.Authorization = "Bearer " + personalKey;
            var global = new GlobalBudget(Money.ToNanos(1000), null);
            var deployment = new EdgeGw.Config.Deployment { Index = 0, ModelName = "gpt-4o", Provider = "openai", ModelId = "gpt-4o", Id = "d" };
            var hold = new BudgetHold();
            var groups = EdgeGw.Routing.AccessGroups.From(
                [deployment with { Id = "m", ModelName = "gpt-4o-mini", ModelId = "gpt-4o-mini", AccessGroups = ["beta-group"] }]);

            var allocated = AllocatedBy(() =>
            {
                Assert.Null(auth.Authenticate(context, out var caller));
                Assert.Null(ModelAccess.Check(caller, data.Accounts, groups, "gpt-4o"));
                Assert.Null(ModelAccess.Check(caller, data.Accounts, groups, "gpt-4o-mini")); // through the access group
                Assert.Null(data.Ledger.Check(caller, global));
                // Admission reserves the priced estimate on key, team, member and proxy; the end gives it back.
                Assert.Null(data.Ledger.Reserve(caller, global, CostCalculator.Reservation(deployment, 100, 4096), ref hold));
                hold.Release();
                Assert.Null(auth.Authenticate(personalContext, out var personalCaller));
                Assert.Null(data.Ledger.Check(personalCaller, global));
            });

            Assert.Equal(0, allocated);
        }
        finally
        {
            await data.DisposeAsync();
            foreach (var suffix in new[] { "", "-wal", "-shm" })
                File.Delete(path + suffix);
        }
    }
}

using System.Security.Cryptography;
using System.Text;
using EdgeGw.Auth;
using EdgeGw.Spend;
using EdgeGw.Storage;
using EdgeGw.Storage.Postgres;
using EdgeGw.Tests.Infrastructure;
using Npgsql;

namespace EdgeGw.Tests.Postgres;

[Collection(PostgresCollection.Name)]
public class LiteLlmAccountsTests(PostgresServer server)
{
    // LiteLLM's hash_token: sha256 of the key's UTF-8, lowercase hex.
    private static string LiteLlmToken(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    private static long Ms(string iso) => DateTimeOffset.Parse(iso, System.Globalization.CultureInfo.InvariantCulture).ToUnixTimeMilliseconds();

    private async Task<(PostgresStore Store, string Db)> LiteLlmDatabase(string rows)
    {
        var db = server.CreateDatabase();
        server.Execute(db, LiteLlmSchemaTests.FixtureSql);
        if (rows.Length > 0)
            server.Execute(db, rows);
        return (await PostgresStore.OpenAsync(server.Url(db)), db);
    }

    [Fact]
    public async Task RowsWrittenByLiteLlm_LoadWithTheirValues()
    {
        var key = LiteLlmToken("sk-litellm-key-1234");
        var tier = LiteLlmToken("sk-litellm-tier-5678");
        var (store, _) = await LiteLlmDatabase($$"""
            INSERT INTO "LiteLLM_BudgetTable" (budget_id, max_budget, created_by, updated_by) VALUES ('b-alice', 20, 'admin', 'admin');
            INSERT INTO "LiteLLM_BudgetTable" (budget_id, max_budget, rpm_limit, tpm_limit, budget_duration, created_by, updated_by)
              VALUES ('tier-free', 5, 10, 100, '1d', 'admin', 'admin');
            INSERT INTO "LiteLLM_TeamTable" (team_id, team_alias, admins, members, members_with_roles, models, max_budget, spend,
                budget_duration, budget_reset_at, blocked, tpm_limit, rpm_limit, max_parallel_requests, metadata)
              VALUES ('team-a', 'Team A', '{alice}', '{}',
                '[{"role": "admin", "user_id": "alice", "user_email": null}, {"role": "user", "user_id": "bob", "user_email": "bob@x.io"},
                  {"role": "user", "user_id": null, "user_email": "invited@x.io"}]',
                '{gpt-4o}', 100, 12.5, '1mo', '2026-12-01 00:00:00', true, 9000000000, 600, 4, '{"cost_center": "R&D"}');
            INSERT INTO "LiteLLM_UserTable" (user_id, user_email, user_role, teams, models, max_budget, spend, budget_duration, budget_reset_at, metadata)
              VALUES ('alice', 'alice@x.io', 'internal_user', '{team-a}', '{}', 50, 1.125, '7d', '2026-12-07 00:00:00', '{}');
            INSERT INTO "LiteLLM_UserTable" (user_id, user_role, models, max_budget, spend, budget_reset_at)
              VALUES ('litellm-proxy-budget', 'proxy_admin', '{}', 1000, 99.5, '2026-12-01 00:00:00');
            INSERT INTO "LiteLLM_TeamMembership" (user_id, team_id, spend, budget_id) VALUES ('alice', 'team-a', 2.5, 'b-alice');
            INSERT INTO "LiteLLM_VerificationToken" (token, key_name, key_alias, spend, expires, models, user_id, team_id, max_parallel_requests,
                metadata, blocked, tpm_limit, rpm_limit, max_budget, budget_duration, budget_reset_at, created_at, created_by, updated_at, updated_by)
              VALUES ('{{key}}', 'sk-...1234', 'ci-key', 0.25, '2027-01-01 12:00:00.123', '{gpt-4o,claude-3-5-sonnet}', 'alice', 'team-a', 3,
                '{"tags": ["prod"]}', NULL, 1000, 60, 10.5, '30d', '2026-12-01 00:00:00', '2026-11-01 08:00:00', 'admin',
                '2026-11-02 09:30:00.5', 'admin');
            INSERT INTO "LiteLLM_VerificationToken" (token, key_name, models, budget_id, rpm_limit, blocked)
              VALUES ('{{tier}}', 'sk-...5678', '{}', 'tier-free', 20, false);
            INSERT INTO "LiteLLM_VerificationToken" (token, models) VALUES ('sk-an-unhashed-legacy-key', '{}');
            """);
        await using var _ = store;
        var accounts = new Accounts();

        var skipped = await LiteLlmAccounts.LoadIntoAsync(store.Source, accounts);

        Assert.Equal(1, skipped);
        var k = accounts.Keys[TokenHash.FromKey("sk-litellm-key-1234")];
        Assert.Equal(("sk-...1234", "ci-key", "team-a", "alice"), (k.Settings.KeyName, k.Settings.KeyAlias, k.Settings.TeamId, k.Settings.UserId));
        Assert.Equal(["gpt-4o", "claude-3-5-sonnet"], k.Settings.Models.ToArray());
        Assert.Equal(10_500_000_000, k.Settings.MaxBudgetNanos);
        Assert.Equal("30d", k.Settings.BudgetDuration?.Text);
        Assert.Equal((60, 1000, 3), (k.Settings.RpmLimit, k.Settings.TpmLimit, k.Settings.MaxParallelRequests));
        Assert.Equal("""{"tags": ["prod"]}""", k.Settings.MetadataJson);
        Assert.False(k.Settings.Blocked);
        Assert.Equal(Ms("2027-01-01T12:00:00.123Z"), k.Settings.Expires?.ToUnixTimeMilliseconds());
        Assert.Equal(Ms("2026-11-01T08:00:00Z"), k.Settings.CreatedAt.ToUnixTimeMilliseconds());
        Assert.Equal(Ms("2026-11-02T09:30:00.5Z"), k.Settings.UpdatedAt.ToUnixTimeMilliseconds());
        Assert.Equal(250_000_000, k.Spend.Nanos);
        Assert.Equal(Ms("2026-12-01T00:00:00Z"), k.Spend.ResetAtMs);

        // A key on a budget tier takes the tier's budget and limits where its own are unset.
        var t = accounts.Keys[TokenHash.FromKey("sk-litellm-tier-5678")].Settings;
        Assert.Equal((5_000_000_000L, "1d", 20, 100), (t.MaxBudgetNanos, t.BudgetDuration?.Text, t.RpmLimit, t.TpmLimit));

        var team = accounts.Teams["team-a"];
        Assert.Equal(("Team A", true, 100_000_000_000L), (team.Settings.TeamAlias, team.Settings.Blocked, team.Settings.MaxBudgetNanos));
        Assert.Equal(["gpt-4o"], team.Settings.Models.ToArray());
        Assert.Equal((int.MaxValue, 600, 4), (team.Settings.TpmLimit, team.Settings.RpmLimit, team.Settings.MaxParallelRequests));
        Assert.Equal("1mo", team.Settings.BudgetDuration?.Text);
        Assert.Equal("""{"cost_center": "R&D"}""", team.Settings.MetadataJson);
        Assert.Equal((12_500_000_000L, Ms("2026-12-01T00:00:00Z")), (team.Spend.Nanos, team.Spend.ResetAtMs));

        var alice = accounts.Users["alice"];
        Assert.Equal(("alice@x.io", 50_000_000_000L, 1_125_000_000L), (alice.Settings.UserEmail, alice.Settings.MaxBudgetNanos, alice.Spend.Nanos));
        Assert.Empty(alice.Settings.Models);
        Assert.False(accounts.Users.ContainsKey(LiteLlmAccounts.ProxyBudgetUser));
        Assert.Equal((99_500_000_000L, Ms("2026-12-01T00:00:00Z")), (accounts.Global.Nanos, accounts.Global.ResetAtMs));

        Assert.Equal(2, accounts.Members.Count);
        var admin = accounts.Members[("team-a", "alice")];
        Assert.Equal(("admin", 20_000_000_000L, 2_500_000_000L), (admin.Settings.Role, admin.Settings.MaxBudgetNanos, admin.Spend.Nanos));
        var bob = accounts.Members[("team-a", "bob")];
        Assert.Equal(("user", (long?)null, 0L), (bob.Settings.Role, bob.Settings.MaxBudgetNanos, bob.Spend.Nanos));
    }

    [Fact]
    public async Task KeyWrittenByEdgeGw_ReadsWithLiteLlmColumnSemantics()
    {
        var (store, db) = await LiteLlmDatabase("");
        await using var _ = store;
        var created = DateTimeOffset.Parse("2026-11-30T10:11:12.3456789Z", System.Globalization.CultureInfo.InvariantCulture);
        BudgetDuration.TryParse("7d", out var week);
        var settings = new KeySettings
        {
            Token = TokenHash.FromKey("sk-edgegw-written-key"),
            KeyName = "sk-...-key",
            KeyAlias = "from-edgegw",
            Models = ["gpt-4o", "o3"],
            MaxBudgetNanos = 1_500_000_000,
            BudgetDuration = week,
            RpmLimit = 5,
            TpmLimit = 500,
            MaxParallelRequests = 2,
            MetadataJson = """{"owner": "ops"}""",
            Expires = created.AddDays(30),
            CreatedAt = created,
            UpdatedAt = created,
        };

        await LiteLlmAccounts.UpsertKeyAsync(store.Source, settings);

        var token = LiteLlmToken("sk-edgegw-written-key");
        await using (var connection = new NpgsqlConnection(server.ConnectionString(db)))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("""
                SELECT key_name, key_alias, models, max_budget, budget_duration, rpm_limit, tpm_limit, max_parallel_requests,
                  metadata->>'owner', blocked, expires, created_at, spend, aliases::text, soft_budget_cooldown
                FROM "LiteLLM_VerificationToken" WHERE token = @token
                """, connection);
            command.Parameters.AddWithValue("token", token);
            await using var r = await command.ExecuteReaderAsync();
            Assert.True(await r.ReadAsync(), "no row under the key's sha256 hex token");
            Assert.Equal(("sk-...-key", "from-edgegw"), (r.GetString(0), r.GetString(1)));
            Assert.Equal(["gpt-4o", "o3"], r.GetFieldValue<string[]>(2));
            Assert.Equal(1.5, r.GetDouble(3));
            Assert.Equal("7d", r.GetString(4));
            Assert.Equal((5L, 500L, 2), (r.GetInt64(5), r.GetInt64(6), r.GetInt32(7)));
            Assert.Equal("ops", r.GetString(8));
            Assert.False(r.GetBoolean(9));
            Assert.Equal(new DateTime(2026, 12, 30, 10, 11, 12, 345), r.GetDateTime(10));
            Assert.Equal(new DateTime(2026, 11, 30, 10, 11, 12, 345), r.GetDateTime(11));
            Assert.Equal(0.0, r.GetDouble(12));
            Assert.Equal(("{}", false), (r.GetString(13), r.GetBoolean(14)));
        }

        // An update rewrites settings and leaves the spend LiteLLM (or another replica) counted.
        server.Execute(db, $"""UPDATE "LiteLLM_VerificationToken" SET spend = 3.0 WHERE token = '{token}'""");
        await LiteLlmAccounts.UpsertKeyAsync(store.Source, settings with { KeyAlias = "renamed", Blocked = true, UpdatedAt = created.AddHours(1) });

        var accounts = new Accounts();
        await LiteLlmAccounts.LoadIntoAsync(store.Source, accounts);
        var k = accounts.Keys[settings.Token];
        Assert.Equal(("renamed", true, 3_000_000_000L), (k.Settings.KeyAlias, k.Settings.Blocked, k.Spend.Nanos));
        Assert.Equal((1_500_000_000L, 5, 500, 2), (k.Settings.MaxBudgetNanos, k.Settings.RpmLimit, k.Settings.TpmLimit, k.Settings.MaxParallelRequests));
        Assert.Equal(Ms("2026-11-30T11:11:12.345Z"), k.Settings.UpdatedAt.ToUnixTimeMilliseconds());
    }

    [Fact]
    public async Task TeamAndUserWrittenByEdgeGw_HaveTheShapesLiteLlmReads()
    {
        var (store, db) = await LiteLlmDatabase("");
        await using var _ = store;
        var now = DateTimeOffset.Parse("2026-11-30T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture);

        await LiteLlmAccounts.UpsertTeamAsync(store.Source, new TeamSettings { TeamId = "t1", TeamAlias = "One", MaxBudgetNanos = 250_000_000, CreatedAt = now, UpdatedAt = now });
        await LiteLlmAccounts.UpsertUserAsync(store.Source, new UserSettings { UserId = "u1", UserEmail = "u1@x.io", CreatedAt = now, UpdatedAt = now });

        Assert.Equal("array 0 0 0 0.25", server.Scalar(db, """
            SELECT jsonb_typeof(members_with_roles) || ' ' || jsonb_array_length(members_with_roles) || ' ' || cardinality(admins)
              || ' ' || cardinality(models) || ' ' || max_budget FROM "LiteLLM_TeamTable" WHERE team_id = 't1'
            """));
        Assert.Equal("internal_user 0 u1@x.io", server.Scalar(db, """
            SELECT user_role || ' ' || cardinality(teams) || ' ' || user_email FROM "LiteLLM_UserTable" WHERE user_id = 'u1'
            """));
    }

    [Fact]
    public async Task MemberWrittenByEdgeGw_LandsWhereLiteLlmKeepsMembers()
    {
        var (store, db) = await LiteLlmDatabase("""
            INSERT INTO "LiteLLM_TeamTable" (team_id, admins, members, members_with_roles, models)
              VALUES ('team-a', '{}', '{}', '[{"role": "admin", "user_id": "alice", "user_email": "alice@x.io"}]', '{}');
            INSERT INTO "LiteLLM_UserTable" (user_id, teams, models) VALUES ('alice', '{team-a}', '{}'), ('bob', '{other}', '{}');
            """);
        await using var _ = store;
        var now = DateTimeOffset.Parse("2026-11-30T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
        var bob = new TeamMemberSettings { TeamId = "team-a", UserId = "bob", Role = "user", MaxBudgetNanos = 7_500_000_000, CreatedAt = now, UpdatedAt = now };

        await LiteLlmAccounts.UpsertMemberAsync(store.Source, bob);

        Assert.Equal("""[{"role": "admin", "user_id": "alice", "user_email": "alice@x.io"}, {"role": "user", "user_id": "bob", "user_email": null}]""",
            server.Scalar(db, """SELECT members_with_roles::text FROM "LiteLLM_TeamTable" WHERE team_id = 'team-a'"""));
        Assert.Equal("{other,team-a}", server.Scalar(db, """SELECT teams::text FROM "LiteLLM_UserTable" WHERE user_id = 'bob'"""));
        Assert.Equal("7.5 default_user_id", server.Scalar(db, """
            SELECT b.max_budget || ' ' || b.created_by FROM "LiteLLM_TeamMembership" m JOIN "LiteLLM_BudgetTable" b USING (budget_id)
            WHERE m.team_id = 'team-a' AND m.user_id = 'bob'
            """));

        // A second write changes the role in place and the same budget row.
        await LiteLlmAccounts.UpsertMemberAsync(store.Source, bob with { Role = "admin", MaxBudgetNanos = 2_000_000_000 });

        Assert.Equal(1L, server.Scalar(db, """SELECT count(*) FROM "LiteLLM_BudgetTable" """));
        var accounts = new Accounts();
        await LiteLlmAccounts.LoadIntoAsync(store.Source, accounts);
        var member = accounts.Members[("team-a", "bob")].Settings;
        Assert.Equal(("admin", 2_000_000_000L), (member.Role, member.MaxBudgetNanos));
        Assert.Equal("admin", accounts.Members[("team-a", "alice")].Settings.Role);
        Assert.Equal(1L, server.Scalar(db, """SELECT count(*) FROM "LiteLLM_UserTable" WHERE user_id = 'bob' AND cardinality(teams) = 2"""));

        await LiteLlmAccounts.DeleteMembersAsync(store.Source, [("team-a", "bob")]);

        Assert.Equal("""[{"role": "admin", "user_id": "alice", "user_email": "alice@x.io"}]""",
            server.Scalar(db, """SELECT members_with_roles::text FROM "LiteLLM_TeamTable" WHERE team_id = 'team-a'"""));
        Assert.Equal("{other}", server.Scalar(db, """SELECT teams::text FROM "LiteLLM_UserTable" WHERE user_id = 'bob'"""));
        Assert.Equal(0L, server.Scalar(db, """SELECT count(*) FROM "LiteLLM_TeamMembership" """));
    }

    [Fact]
    public async Task RegeneratedKey_MovesToTheNewTokenKeepingSpendAndLiteLlmColumns()
    {
        var old = LiteLlmToken("sk-old-key-1111");
        var (store, db) = await LiteLlmDatabase($$"""
            INSERT INTO "LiteLLM_VerificationToken" (token, key_name, models, spend, aliases, created_by)
              VALUES ('{{old}}', 'sk-...1111', '{gpt-4o}', 4.25, '{"fast": "gpt-4o-mini"}', 'admin');
            """);
        await using var _ = store;
        var now = DateTimeOffset.Parse("2026-11-30T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture);

        var moved = await LiteLlmAccounts.RegenerateKeyAsync(store.Source, TokenHash.FromKey("sk-old-key-1111"),
            new KeySettings { Token = TokenHash.FromKey("sk-new-key-2222"), KeyName = "sk-...2222", CreatedAt = now, UpdatedAt = now });

        Assert.Equal(1, moved);
        Assert.Equal("sk-...2222 4.25 gpt-4o-mini admin", server.Scalar(db, $"""
            SELECT concat_ws(' ', key_name, spend, aliases->>'fast', created_by) FROM "LiteLLM_VerificationToken"
            WHERE token = '{LiteLlmToken("sk-new-key-2222")}'
            """));
        Assert.Equal(1L, server.Scalar(db, """SELECT count(*) FROM "LiteLLM_VerificationToken" """));
    }

    [Fact]
    public async Task DeletedKey_IsGoneFromTheTable()
    {
        var token = LiteLlmToken("sk-to-delete");
        var (store, db) = await LiteLlmDatabase($$"""INSERT INTO "LiteLLM_VerificationToken" (token, models) VALUES ('{{token}}', '{}')""");
        await using var _ = store;

        var deleted = await LiteLlmAccounts.DeleteAsync(store.Source, AccountTable.Key, [token, LiteLlmToken("sk-never-existed")]);

        Assert.Equal(1, deleted);
        Assert.Equal(0L, server.Scalar(db, """SELECT count(*) FROM "LiteLLM_VerificationToken" """));
    }
}

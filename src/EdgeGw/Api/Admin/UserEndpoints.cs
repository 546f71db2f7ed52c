using EdgeGw.Auth;
using EdgeGw.Spend;
using EdgeGw.Storage;

namespace EdgeGw.Api.Admin;

/// <summary><c>/user/*</c>: a user's budget covers all of their keys.</summary>
internal static partial class UserEndpoints
{
    public static Task NewAsync(HttpContext context, GatewayState state) =>
        AdminHandler.RunAsync(context, state, mutates: true, async (input, data) =>
        {
            var now = data.Time.GetUtcNow();
            var userId = input.String("user_id") ?? Guid.NewGuid().ToString();
            if (userId.Length == 0)
                throw new AdminInputException("user_id", "Invalid user_id: must not be empty");
            if (data.Accounts.Users.ContainsKey(userId))
                throw new AdminInputException("user_id", $"Invalid user_id: user '{userId}' already exists");
            var settings = Apply(input, new UserSettings { UserId = userId, CreatedAt = now, UpdatedAt = now });
            var autoKey = input.Bool("auto_create_key") ?? true;
            var account = new Account<UserSettings>(settings, new SpendCounter());
            await data.AccountStore.UpsertUserAsync(settings);
            data.Accounts.Users[userId] = account;
            await CounterChanges.PersistAsync(data, account, settings.BudgetDuration, durationChanged: true, input.Money("spend"), now, state.Limits.Shared);

            // LiteLLM's /user/new also issues the user a key (auto_create_key, default true).
            string? plaintext = null;
            if (autoKey)
            {
                plaintext = VirtualKeyGenerator.NewKey();
                var key = new KeySettings
                {
                    Token = TokenHash.FromKey(plaintext),
                    KeyName = VirtualKeyGenerator.Abbreviate(plaintext),
                    UserId = userId,
                    CreatedAt = now,
                    UpdatedAt = now,
                };
                await data.AccountStore.UpsertKeyAsync(key);
                data.Accounts.Keys[key.Token] = new KeyAccount(key, new SpendCounter());
            }
            await AdminOutput.WriteAsync(context, json => AdminOutput.User(json, account, plaintext));
        });

    /// <summary>A key named a user that does not exist yet: LiteLLM creates the user row.</summary>
    public static async Task CreateImplicitAsync(GatewayData data, string userId, DateTimeOffset now)
    {
        var settings = new UserSettings { UserId = userId, CreatedAt = now, UpdatedAt = now };
        await data.AccountStore.UpsertUserAsync(settings);
        data.Accounts.Users[userId] = new Account<UserSettings>(settings, new SpendCounter());
    }

    private static UserSettings Apply(AdminInput input, UserSettings u)
    {
        if (input.Has("user_email"))
            u = u with { UserEmail = input.String("user_email") };
        if (input.Has("user_alias"))
            u = u with { UserAlias = input.String("user_alias") };
        if (input.Has("models"))
            u = u with { Models = input.Strings("models") ?? [] };
        if (input.Has("max_budget"))
            u = u with { MaxBudgetNanos = input.Money("max_budget") is { } max ? Money.ToNanos(max) : null };
        if (input.Has("budget_duration"))
            u = u with { BudgetDuration = input.Duration("budget_duration") };
        if (input.Has("rpm_limit"))
            u = u with { RpmLimit = input.Count("rpm_limit") };
        if (input.Has("tpm_limit"))
            u = u with { TpmLimit = input.Count("tpm_limit") };
        if (input.Has("max_parallel_requests"))
            u = u with { MaxParallelRequests = input.Count("max_parallel_requests") };
        if (input.Has("metadata"))
            u = u with { MetadataJson = input.Metadata("metadata") ?? "{}" };
        _ = input.Money("spend");
        return u;
    }

    private static Account<UserSettings> Find(GatewayData data, string userId, string field = "user_id") =>
        data.Accounts.Users.TryGetValue(userId, out var user)
            ? user
            : throw AdminInputException.NotFound(field, $"User not found: user_id={userId}");

    public static Task InfoAsync(HttpContext context, GatewayState state) =>
        AdminHandler.RunAsync(context, state, mutates: false, async (input, data) =>
        {
            var user = Find(data, input.RequiredString("user_id"));
            var keys = data.Accounts.Keys.Values.Where(k => k.Settings.UserId == user.Settings.UserId)
                .OrderBy(k => k.Settings.CreatedAt).ToList();
            var teams = keys.Select(k => k.Settings.TeamId).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
            await AdminOutput.WriteAsync(context, json =>
            {
                json.WriteStartObject();
                json.WriteString("user_id", user.Settings.UserId);
                json.WritePropertyName("user_info");
                AdminOutput.User(json, user);
                json.WriteStartArray("keys");
                foreach (var key in keys)
                    AdminOutput.Key(json, key);
                json.WriteEndArray();
                json.WriteStartArray("teams");
                foreach (var team in teams)
                    json.WriteStringValue(team);
                json.WriteEndArray();
                json.WriteEndObject();
            });
        });

    public static Task UpdateAsync(HttpContext context, GatewayState state) =>
        AdminHandler.RunAsync(context, state, mutates: true, async (input, data) =>
        {
            var user = Find(data, input.RequiredString("user_id"));
            var now = data.Time.GetUtcNow();
            var before = user.Settings;
            var after = Apply(input, before) with { UpdatedAt = now };
            await data.AccountStore.UpsertUserAsync(after);
            user.Settings = after;
            await CounterChanges.PersistAsync(data, user, after.BudgetDuration, !Equals(before.BudgetDuration, after.BudgetDuration), input.Money("spend"), now, state.Limits.Shared);
            await AdminOutput.WriteAsync(context, json => AdminOutput.User(json, user));
        });

    public static Task DeleteAsync(HttpContext context, GatewayState state) =>
        AdminHandler.RunAsync(context, state, mutates: true, async (input, data) =>
        {
            var ids = input.Strings("user_ids") ?? throw new AdminInputException("user_ids", "user_ids is required (a list of user ids)");
            foreach (var id in ids)
                Find(data, id, "user_ids");
            var keys = data.Accounts.Keys.Values.Where(k => k.Settings.UserId is { } u && ids.Contains(u)).Select(k => k.Settings.Token).ToList();
            // The cache follows each step the database took: a step that fails (503) leaves both as they were.
            await data.AccountStore.DeleteAsync(AccountTable.Key, [.. keys.Select(k => k.ToHex())]);
            foreach (var key in keys)
                data.Accounts.Keys.TryRemove(key, out _);
            await TeamMemberEndpoints.RemoveAsync(data, m => ids.Contains(m.UserId));
            await data.AccountStore.DeleteAsync(AccountTable.User, ids);
            foreach (var id in ids)
                data.Accounts.Users.TryRemove(id, out _);
            await AdminOutput.WriteAsync(context, json =>
            {
                json.WriteStartObject();
                json.WriteStartArray("deleted_users");
                foreach (var id in ids)
                    json.WriteStringValue(id);
                json.WriteEndArray();
                json.WriteNumber("deleted_keys", keys.Count);
                json.WriteEndObject();
            });
        });
}

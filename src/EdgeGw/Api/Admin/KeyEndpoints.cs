using EdgeGw.Auth;
using EdgeGw.Spend;
using EdgeGw.Storage;

namespace EdgeGw.Api.Admin;

/// <summary><c>/key/*</c>: virtual keys. The plaintext exists only in the answer that creates it.</summary>
internal static partial class KeyEndpoints
{
    public static Task GenerateAsync(HttpContext context, GatewayState state) =>
        AdminHandler.RunAsync(context, state, mutates: true, async (input, data) =>
        {
            var now = data.Time.GetUtcNow();
            var plaintext = input.String("key") ?? VirtualKeyGenerator.NewKey();
            var token = NewToken(state, data, plaintext, "key");
            var settings = await ApplyAsync(input, data, new KeySettings
            {
                Token = token,
                KeyName = VirtualKeyGenerator.Abbreviate(plaintext),
                CreatedAt = now,
                UpdatedAt = now,
            }, now, isNew: true);
            var account = new KeyAccount(settings, new SpendCounter());
            await data.AccountStore.UpsertKeyAsync(settings);
            data.Accounts.Keys[token] = account;
            await CounterChanges.PersistAsync(data, account, settings.BudgetDuration, durationChanged: true, input.Money("spend"), now, state.Limits.Shared);
            await AdminOutput.WriteAsync(context, json => AdminOutput.Key(json, account, plaintext));
        });

    /// <summary>
    /// The token of a new key, refused when malformed or when it would collide: with an existing key,
    /// or with the master key (it would outlive a master key rotation as a virtual key).
    /// </summary>
    private static TokenHash NewToken(GatewayState state, GatewayData data, string plaintext, string field)
    {
        if (!plaintext.StartsWith("sk-", StringComparison.Ordinal) || plaintext.Length < 20)
            throw new AdminInputException(field, $"Invalid {field}: a custom key must start with 'sk-' and be at least 20 characters long");
        if (state.Authenticator.IsMasterKey(plaintext))
            throw new AdminInputException(field, $"Invalid {field}: a key may not equal the master key");
        var token = TokenHash.FromKey(plaintext);
        if (data.Accounts.Keys.ContainsKey(token))
            throw new AdminInputException(field, $"Invalid {field}: this key already exists");
        return token;
    }

    /// <summary>Applies the fields an admin sent to <paramref name="k"/>, validating each.</summary>
    private static async Task<KeySettings> ApplyAsync(AdminInput input, GatewayData data, KeySettings k, DateTimeOffset now, bool isNew)
    {
        _ = input.Money("spend");
        if (input.Has("models"))
            k = k with { Models = input.Strings("models") ?? [] };
        if (input.Has("max_budget"))
            k = k with { MaxBudgetNanos = input.Money("max_budget") is { } max ? Money.ToNanos(max) : null };
        if (input.Has("budget_duration"))
            k = k with { BudgetDuration = input.Duration("budget_duration") };
        if (input.Has("rpm_limit"))
            k = k with { RpmLimit = input.Count("rpm_limit") };
        if (input.Has("tpm_limit"))
            k = k with { TpmLimit = input.Count("tpm_limit") };
        if (input.Has("max_parallel_requests"))
            k = k with { MaxParallelRequests = input.Count("max_parallel_requests") };
        if (input.Has("metadata"))
            k = k with { MetadataJson = input.Metadata("metadata") ?? "{}" };
        if (input.Has("blocked"))
            k = k with { Blocked = input.Bool("blocked") ?? false };
        if (input.Has("duration"))
            k = k with { Expires = input.Duration("duration")?.After(now) };
        if (input.Has("key_alias"))
        {
            var alias = input.String("key_alias");
            if (alias is not null && data.Accounts.FindKeyByAlias(alias) is { } other && other.Settings.Token != k.Token)
                throw new AdminInputException("key_alias", $"Invalid key_alias: '{alias}' is already used by another key (aliases are unique)");
            k = k with { KeyAlias = alias };
        }
        if (input.Has("team_id"))
        {
            var teamId = input.String("team_id");
            if (teamId is not null && !data.Accounts.Teams.ContainsKey(teamId))
                throw new AdminInputException("team_id", $"Invalid team_id: team '{teamId}' does not exist. Create it with /team/new first.");
            k = k with { TeamId = teamId };
        }
        if (input.Has("user_id"))
        {
            var userId = input.String("user_id");
            if (userId is not null && !data.Accounts.Users.ContainsKey(userId))
                await UserEndpoints.CreateImplicitAsync(data, userId, now);
            k = k with { UserId = userId };
        }
        return isNew ? k : k with { UpdatedAt = now };
    }

    public static Task InfoAsync(HttpContext context, GatewayState state) =>
        AdminHandler.RunAsync(context, state, mutates: false, async (input, data) =>
        {
            var caller = Caller.Of(context);
            var requested = input.String("key");
            KeyAccount account;
            if (requested is null)
                account = caller.Key ?? throw new AdminInputException("key", "key is required (the key to look up, or its token)");
            else
                account = Find(data, requested);
            if (!caller.IsMaster && !ReferenceEquals(caller.Key, account))
                throw new AdminInputException("key", "A virtual key may only read its own info", 403);
            await AdminOutput.WriteAsync(context, json =>
            {
                json.WriteStartObject();
                json.WriteString("key", account.Settings.Token.ToHex());
                json.WritePropertyName("info");
                AdminOutput.Key(json, account);
                json.WriteEndObject();
            });
        });

    public static Task UpdateAsync(HttpContext context, GatewayState state) =>
        AdminHandler.RunAsync(context, state, mutates: true, async (input, data) =>
        {
            var account = Find(data, input.RequiredString("key"));
            var now = data.Time.GetUtcNow();
            var before = account.Settings;
            var after = await ApplyAsync(input, data, before, now, isNew: false);
            await data.AccountStore.UpsertKeyAsync(after);
            account.Settings = after;
            await CounterChanges.PersistAsync(data, account, after.BudgetDuration, !Equals(before.BudgetDuration, after.BudgetDuration), input.Money("spend"), now, state.Limits.Shared);
            await AdminOutput.WriteAsync(context, json => AdminOutput.Key(json, account));
        });

    public static Task DeleteAsync(HttpContext context, GatewayState state) =>
        AdminHandler.RunAsync(context, state, mutates: true, async (input, data) =>
        {
            var targets = new List<KeyAccount>();
            foreach (var key in input.Strings("keys") ?? [])
                targets.Add(Find(data, key, "keys"));
            foreach (var alias in input.Strings("key_aliases") ?? [])
                targets.Add(data.Accounts.FindKeyByAlias(alias) ?? throw AdminInputException.NotFound("key_aliases", $"Key not found: no key has key_alias '{alias}'"));
            if (targets.Count == 0)
                throw new AdminInputException("keys", "keys or key_aliases is required (a list of keys or tokens to delete)");
            var tokens = targets.Select(t => t.Settings.Token).Distinct().ToList();
            await data.AccountStore.DeleteAsync(AccountTable.Key, [.. tokens.Select(t => t.ToHex())]);
            foreach (var token in tokens)
                data.Accounts.Keys.TryRemove(token, out _);
            await AdminOutput.WriteAsync(context, json =>
            {
                json.WriteStartObject();
                json.WriteStartArray("deleted_keys");
                foreach (var token in tokens)
                    json.WriteStringValue(token.ToHex());
                json.WriteEndArray();
                json.WriteEndObject();
            });
        });

    public static Task RegenerateAsync(HttpContext context, GatewayState state) =>
        AdminHandler.RunAsync(context, state, mutates: true, async (input, data) =>
        {
            var old = Find(data, input.RequiredString("key"));
            // Counter states already queued under the old token must land before the row moves.
            await data.Writer.FlushAsync();
            var now = data.Time.GetUtcNow();
            var plaintext = input.String("new_key") ?? VirtualKeyGenerator.NewKey();
            var token = NewToken(state, data, plaintext, "new_key");
            var oldSettings = old.Settings;
            var settings = await ApplyAsync(input, data, oldSettings with { Token = token, KeyName = VirtualKeyGenerator.Abbreviate(plaintext) }, now, isNew: false);
            await data.AccountStore.RegenerateKeyAsync(oldSettings.Token, settings);
            var account = new KeyAccount(settings, old.Spend);
            data.Accounts.Keys[token] = account;
            data.Accounts.Keys.TryRemove(oldSettings.Token, out _);
            await AdminOutput.WriteAsync(context, json => AdminOutput.Key(json, account, plaintext));
        });

    public static Task BlockAsync(HttpContext context, GatewayState state) => SetBlockedAsync(context, state, true);

    public static Task UnblockAsync(HttpContext context, GatewayState state) => SetBlockedAsync(context, state, false);

    private static Task SetBlockedAsync(HttpContext context, GatewayState state, bool blocked) =>
        AdminHandler.RunAsync(context, state, mutates: true, async (input, data) =>
        {
            var account = Find(data, input.RequiredString("key"));
            var settings = account.Settings with { Blocked = blocked, UpdatedAt = data.Time.GetUtcNow() };
            await data.AccountStore.UpsertKeyAsync(settings);
            account.Settings = settings;
            await AdminOutput.WriteAsync(context, json => AdminOutput.Key(json, account));
        });

    /// <summary>A key by its plaintext or its token (SHA-256 hex); 404 naming the field when unknown.</summary>
    private static KeyAccount Find(GatewayData data, string keyOrToken, string field = "key") =>
        data.Accounts.Keys.TryGetValue(TokenHash.FromKeyOrToken(keyOrToken), out var account)
            ? account
            : throw AdminInputException.NotFound(field, $"Key not found: {VirtualKeyGenerator.Abbreviate(keyOrToken)}");
}

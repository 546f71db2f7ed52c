using System.Globalization;
using System.Text.Json;
using EdgeGw.Auth;
using EdgeGw.Json;
using EdgeGw.Spend;

namespace EdgeGw.Api.Admin;

/// <summary>Admin responses, written with Utf8JsonWriter in LiteLLM's field names.</summary>
internal static class AdminOutput
{
    public static Task WriteAsync(HttpContext context, Action<Utf8JsonWriter> write, int status = 200)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var json = new Utf8JsonWriter(buffer, JsonOptions.Writer))
            write(json);
        var response = context.Response;
        response.StatusCode = status;
        response.ContentType = "application/json";
        response.ContentLength = buffer.WrittenCount;
        return response.Body.WriteAsync(buffer.WrittenMemory, context.RequestAborted).AsTask();
    }

    public static void Time(Utf8JsonWriter json, string name, DateTimeOffset? time)
    {
        if (time is null)
            json.WriteNull(name);
        else
            json.WriteString(name, time.Value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
    }

    private static void Dollars(Utf8JsonWriter json, string name, long? nanos)
    {
        if (nanos is null)
            json.WriteNull(name);
        else
            json.WriteNumber(name, Money.ToDollars(nanos.Value));
    }

    private static void Number(Utf8JsonWriter json, string name, int? value)
    {
        if (value is null)
            json.WriteNull(name);
        else
            json.WriteNumber(name, value.Value);
    }

    private static void Limits(Utf8JsonWriter json, AccountSettings settings)
    {
        Number(json, "rpm_limit", settings.RpmLimit);
        Number(json, "tpm_limit", settings.TpmLimit);
        Number(json, "max_parallel_requests", settings.MaxParallelRequests);
    }

    private static void Common(Utf8JsonWriter json, AccountSettings settings, SpendCounter spend)
    {
        json.WriteNumber("spend", Money.ToDollars(spend.Nanos));
        Dollars(json, "max_budget", settings.MaxBudgetNanos);
        json.WriteString("budget_duration", settings.BudgetDuration?.Text);
        var resetAt = spend.ResetAtMs;
        Time(json, "budget_reset_at", settings.BudgetDuration is null || resetAt == 0 ? null : DateTimeOffset.FromUnixTimeMilliseconds(resetAt));
        json.WriteStartArray("models");
        foreach (var model in settings.Models.IsDefault ? [] : settings.Models)
            json.WriteStringValue(model);
        json.WriteEndArray();
        json.WritePropertyName("metadata");
        json.WriteRawValue(settings.MetadataJson, skipInputValidation: true);
        Time(json, "created_at", settings.CreatedAt);
        Time(json, "updated_at", settings.UpdatedAt);
    }

    /// <summary>A key's fields; <paramref name="plaintext"/> only in the answer that creates it.</summary>
    public static void Key(Utf8JsonWriter json, KeyAccount account, string? plaintext = null)
    {
        var k = account.Settings;
        json.WriteStartObject();
        if (plaintext is not null)
            json.WriteString("key", plaintext);
        json.WriteString("token", k.Token.ToHex());
        json.WriteString("key_name", k.KeyName);
        json.WriteString("key_alias", k.KeyAlias);
        json.WriteString("team_id", k.TeamId);
        json.WriteString("user_id", k.UserId);
        Limits(json, k);
        json.WriteBoolean("blocked", k.Blocked);
        Time(json, "expires", k.Expires);
        Common(json, k, account.Spend);
        json.WriteEndObject();
    }

    public static void Team(Utf8JsonWriter json, Account<TeamSettings> account)
    {
        var t = account.Settings;
        json.WriteStartObject();
        json.WriteString("team_id", t.TeamId);
        json.WriteString("team_alias", t.TeamAlias);
        Limits(json, t);
        json.WriteBoolean("blocked", t.Blocked);
        Common(json, t, account.Spend);
        json.WriteEndObject();
    }

    /// <param name="more">Fields a list adds to each user (LiteLLM's <c>user_role</c>, <c>teams</c>, <c>key_count</c>).</param>
    public static void User(Utf8JsonWriter json, Account<UserSettings> account, string? plaintextKey = null, Action<Utf8JsonWriter>? more = null)
    {
        var u = account.Settings;
        json.WriteStartObject();
        if (plaintextKey is not null)
            json.WriteString("key", plaintextKey);
        json.WriteString("user_id", u.UserId);
        json.WriteString("user_email", u.UserEmail);
        json.WriteString("user_alias", u.UserAlias);
        Limits(json, u);
        Common(json, u, account.Spend);
        more?.Invoke(json);
        json.WriteEndObject();
    }
}

using System.Globalization;
using System.Text.Json;
using EdgeGw.Spend;
using EdgeGw.Storage;

namespace EdgeGw.Api.Admin;

/// <summary><c>/spend/logs</c> answers in LiteLLM's shapes: a row per request, or its per-day summary.</summary>
internal static class SpendLogOutput
{
    /// <summary>One row with every <c>LiteLLM_SpendLogs</c> column; those EdgeGw does not record are null or empty.</summary>
    public static void WriteRow(Utf8JsonWriter json, SpendRow row)
    {
        json.WriteStartObject();
        json.WriteString("request_id", row.RequestId);
        json.WriteString("call_type", row.CallType);
        json.WriteString("api_key", row.ApiKey);
        json.WriteNumber("spend", Money.ToDollars(row.SpendNanos));
        json.WriteNumber("total_tokens", row.TotalTokens);
        json.WriteNumber("prompt_tokens", row.PromptTokens);
        json.WriteNumber("completion_tokens", row.CompletionTokens);
        AdminOutput.Time(json, "startTime", row.StartTime);
        AdminOutput.Time(json, "endTime", row.EndTime);
        json.WriteNull("completionStartTime");
        json.WriteString("model", row.Model);
        json.WriteString("model_id", row.ModelId);
        json.WriteString("model_group", row.ModelGroup);
        json.WriteString("custom_llm_provider", row.Provider);
        json.WriteString("api_base", row.ApiBase);
        json.WriteString("user", row.User);
        json.WritePropertyName("metadata");
        json.WriteRawValue(row.MetadataJson, skipInputValidation: true);
        json.WriteString("cache_hit", row.CacheHit ? "True" : "False");
        json.WriteString("cache_key", row.CacheKey ?? SpendRow.NoCacheKey);
        json.WritePropertyName("request_tags");
        json.WriteRawValue(row.RequestTagsJson, skipInputValidation: true);
        json.WriteString("team_id", row.TeamId);
        json.WriteNull("organization_id");
        json.WriteString("end_user", row.EndUser);
        json.WriteNull("requester_ip_address");
        // Prompts and responses are not stored (LiteLLM's default without store_prompts_in_spend_logs).
        json.WriteStartObject("messages");
        json.WriteEndObject();
        json.WriteStartObject("response");
        json.WriteEndObject();
        json.WriteNull("session_id");
        json.WriteString("status", row.Status);
        json.WriteEndObject();
    }

    /// <summary>
    /// LiteLLM's <c>/spend/logs?start_date=…&amp;end_date=…</c> summary: per day
    /// <c>{"users": {user: spend}, "models": {model: spend}, "spend", "&lt;api key hash&gt;": spend, "startTime"}</c>,
    /// then zero days up to <paramref name="lastDay"/>. Cells come grouped by day, user, model and key.
    /// </summary>
    public static void WriteDailySummary(Utf8JsonWriter json, List<SpendCell> cells, DateOnly? lastDay)
    {
        json.WriteStartArray();
        DateOnly? final = null;
        foreach (var day in cells.GroupBy(c => c.Day))
        {
            json.WriteStartObject();
            WriteSpendMap(json, "users", day.GroupBy(c => c.Group ?? "null"));
            WriteSpendMap(json, "models", day.GroupBy(c => c.Model));
            json.WriteNumber("spend", Money.ToDollars(day.Sum(c => c.SpendNanos)));
            foreach (var key in day.GroupBy(c => c.ApiKey))
                json.WriteNumber(key.Key, Money.ToDollars(key.Sum(c => c.SpendNanos)));
            json.WriteString("startTime", day.Key);
            json.WriteEndObject();
            if (DateOnly.TryParseExact(day.Key, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
                final = date;
        }
        if (final is { } from && lastDay is { } to && to.DayNumber - from.DayNumber is > 0 and <= 3660)
        {
            for (var date = from.AddDays(1); date <= to; date = date.AddDays(1))
            {
                json.WriteStartObject();
                json.WriteString("startTime", date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
                json.WriteNumber("spend", 0);
                json.WriteStartObject("users");
                json.WriteEndObject();
                json.WriteStartObject("models");
                json.WriteEndObject();
                json.WriteEndObject();
            }
        }
        json.WriteEndArray();
    }

    private static void WriteSpendMap(Utf8JsonWriter json, string name, IEnumerable<IGrouping<string, SpendCell>> groups)
    {
        json.WriteStartObject(name);
        foreach (var group in groups)
            json.WriteNumber(group.Key, Money.ToDollars(group.Sum(c => c.SpendNanos)));
        json.WriteEndObject();
    }
}

using System.Globalization;
using System.Text.Json;
using EdgeGw.Auth;
using EdgeGw.Spend;
using EdgeGw.Storage;

namespace EdgeGw.Api.Admin;

/// <summary>
/// <c>/spend/logs</c> and the global reports. Each first waits for the spend writer to commit
/// everything already queued, so a report read after a response includes that response.
/// </summary>
internal static class SpendEndpoints
{
    public static Task LogsAsync(HttpContext context, GatewayState state) =>
        AdminHandler.RunAsync(context, state, mutates: false, async (input, data) =>
        {
            var filter = Filter(input);
            var limit = input.Count("limit") ?? 1000;
            if (limit is < 1 or > 100_000)
                throw new AdminInputException("limit", "Invalid limit: must be between 1 and 100000");
            await data.Writer.FlushAsync();
            var rows = SpendQueries.Logs(data.Store, filter, limit);
            await AdminOutput.WriteAsync(context, json =>
            {
                json.WriteStartArray();
                foreach (var row in rows)
                    WriteRow(json, row);
                json.WriteEndArray();
            });
        });

    private static void WriteRow(Utf8JsonWriter json, SpendRow row)
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
        json.WriteString("model", row.Model);
        json.WriteString("model_group", row.ModelGroup);
        json.WriteString("model_id", row.ModelId);
        json.WriteString("api_base", row.ApiBase);
        json.WriteString("user", row.User);
        json.WriteString("team_id", row.TeamId);
        json.WritePropertyName("metadata");
        json.WriteRawValue(row.MetadataJson, skipInputValidation: true);
        json.WriteString("cache_hit", row.CacheHit ? "True" : "False");
        json.WriteString("status", row.Status);
        json.WriteEndObject();
    }

    /// <summary>
    /// Spend per UTC day, grouped by <c>group_by</c> = <c>team</c> (default), <c>api_key</c>,
    /// <c>model</c> or <c>user</c>: <c>[{"group_by_day", "teams"|"keys"|"models"|"users": [{name, total_spend, …}]}]</c>.
    /// </summary>
    public static Task ReportAsync(HttpContext context, GatewayState state) =>
        AdminHandler.RunAsync(context, state, mutates: false, async (input, data) =>
        {
            var groupBy = input.String("group_by") ?? "team";
            var (column, list, field) = groupBy switch
            {
                "team" => ("team_id", "teams", "team_id"),
                "api_key" or "key" => ("api_key", "keys", "api_key"),
                "model" => ("model_group", "models", "model"),
                "user" or "customer" => ("user", "users", "user_id"),
                _ => throw new AdminInputException("group_by", $"Invalid group_by: '{groupBy}' (use team, api_key, model or user)"),
            };
            var filter = Filter(input);
            await data.Writer.FlushAsync();
            var totals = SpendQueries.Totals(data.Store, filter, column, byDay: true);
            await AdminOutput.WriteAsync(context, json =>
            {
                json.WriteStartArray();
                foreach (var day in totals.GroupBy(t => t.Day))
                {
                    json.WriteStartObject();
                    json.WriteString("group_by_day", day.Key);
                    json.WriteNumber("total_spend", Money.ToDollars(day.Sum(t => t.SpendNanos)));
                    json.WriteStartArray(list);
                    foreach (var total in day)
                    {
                        json.WriteStartObject();
                        json.WriteString(field, total.Group);
                        WriteSums(json, total);
                        json.WriteEndObject();
                    }
                    json.WriteEndArray();
                    json.WriteEndObject();
                }
                json.WriteEndArray();
            });
        });

    /// <summary>Total spend per model (group), highest first: <c>[{"model", "total_spend", …}]</c>.</summary>
    public static Task ModelsAsync(HttpContext context, GatewayState state) =>
        AdminHandler.RunAsync(context, state, mutates: false, async (input, data) =>
        {
            var limit = input.Count("limit") ?? 100;
            var filter = Filter(input);
            await data.Writer.FlushAsync();
            var totals = SpendQueries.Totals(data.Store, filter, "model_group", byDay: false, limit);
            await AdminOutput.WriteAsync(context, json =>
            {
                json.WriteStartArray();
                foreach (var total in totals)
                {
                    json.WriteStartObject();
                    json.WriteString("model", total.Group);
                    WriteSums(json, total);
                    json.WriteEndObject();
                }
                json.WriteEndArray();
            });
        });

    private static void WriteSums(Utf8JsonWriter json, SpendTotal total)
    {
        json.WriteNumber("total_spend", Money.ToDollars(total.SpendNanos));
        json.WriteNumber("total_tokens", total.TotalTokens);
        json.WriteNumber("prompt_tokens", total.PromptTokens);
        json.WriteNumber("completion_tokens", total.CompletionTokens);
        json.WriteNumber("requests", total.Requests);
    }

    private static SpendFilter Filter(AdminInput input)
    {
        var apiKey = input.String("api_key");
        return new SpendFilter
        {
            ApiKey = apiKey is null ? null : TokenHash.FromKeyOrToken(apiKey).ToHex(),
            UserId = input.String("user_id"),
            TeamId = input.String("team_id"),
            RequestId = input.String("request_id"),
            StartMs = Date(input, "start_date", endOfDay: false),
            EndMs = Date(input, "end_date", endOfDay: true),
        };
    }

    /// <summary><c>YYYY-MM-DD</c> (an end date includes its whole day) or an ISO 8601 time; UTC.</summary>
    private static long? Date(AdminInput input, string name, bool endOfDay)
    {
        var text = input.String(name);
        if (text is null)
            return null;
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            var start = new DateTimeOffset(date.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            return (endOfDay ? start.AddDays(1) : start).ToUnixTimeMilliseconds();
        }
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time))
            return time.ToUnixTimeMilliseconds();
        throw new AdminInputException(name, $"Invalid {name}: expected YYYY-MM-DD or an ISO 8601 time, got '{text}'");
    }
}

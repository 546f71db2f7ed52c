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
internal static partial class SpendEndpoints
{
    /// <summary>
    /// Rows newest first, in <c>LiteLLM_SpendLogs</c>' columns. With both <c>start_date</c> and
    /// <c>end_date</c> LiteLLM answers with per-day sums unless <c>summarize=false</c>; so does this.
    /// </summary>
    public static Task LogsAsync(HttpContext context, GatewayState state) =>
        AdminHandler.RunAsync(context, state, mutates: false, async (input, data) =>
        {
            var filter = Filter(input);
            var limit = input.Count("limit") ?? 1000;
            if (limit is < 1 or > 100_000)
                throw new AdminInputException("limit", "Invalid limit: must be between 1 and 100000");
            var summarize = filter.StartMs is not null && filter.EndMs is not null && input.Bool("summarize") != false;
            await data.Writer.FlushAsync();
            if (summarize)
            {
                var cells = await data.SpendReports.BreakdownAsync(filter, "user", byDay: true);
                await AdminOutput.WriteAsync(context, json => SpendLogOutput.WriteDailySummary(json, cells, LastDay(input)));
                return;
            }
            var rows = await data.SpendReports.LogsAsync(filter, limit);
            await AdminOutput.WriteAsync(context, json =>
            {
                json.WriteStartArray();
                foreach (var row in rows)
                    SpendLogOutput.WriteRow(json, row);
                json.WriteEndArray();
            });
        });

    /// <summary>The day <c>end_date</c> names, up to which LiteLLM's summary lists empty days.</summary>
    private static DateOnly? LastDay(AdminInput input) =>
        Date(input, "end_date", endOfDay: true) is { } endMs ? DateOnly.FromDateTime(DateTimeOffset.FromUnixTimeMilliseconds(endMs - 1).UtcDateTime) : null;

    /// <summary>
    /// LiteLLM's <c>Last30dModelsBySpend</c>: spend per provider model since 30 days before today (UTC),
    /// highest first, <c>limit</c> rows (default 10): <c>[{"model", "total_spend", …}]</c>. Like LiteLLM,
    /// it takes no date range.
    /// </summary>
    public static Task ModelsAsync(HttpContext context, GatewayState state) =>
        AdminHandler.RunAsync(context, state, mutates: false, async (input, data) =>
        {
            var limit = input.Count("limit") ?? 10;
            var today = data.Time.GetUtcNow().UtcDateTime.Date;
            var filter = new SpendFilter { StartMs = new DateTimeOffset(today.AddDays(-30), TimeSpan.Zero).ToUnixTimeMilliseconds() };
            await data.Writer.FlushAsync();
            var totals = await data.SpendReports.TotalsAsync(filter, "model", byDay: false, limit);
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
            EndUser = input.String("customer_id"),
            RequestId = input.String("request_id"),
            StartMs = Date(input, "start_date", endOfDay: false),
            EndMs = Date(input, "end_date", endOfDay: true),
        };
    }

    private static readonly DateOnly FirstDay = new(1970, 1, 1);
    private static readonly DateOnly LastDayAllowed = new(9000, 12, 31);

    private static AdminInputException OutOfRange(string name, string text) =>
        new(name, $"Invalid {name}: must be between {FirstDay:yyyy-MM-dd} and {LastDayAllowed:yyyy-MM-dd}, got '{text}'");

    /// <summary><c>YYYY-MM-DD</c> (an end date includes its whole day) or an ISO 8601 time; UTC.</summary>
    private static long? Date(AdminInput input, string name, bool endOfDay)
    {
        var text = input.String(name);
        if (text is null)
            return null;
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            // Spend rows are stamped in Unix milliseconds; outside this range a date means nothing and would overflow a day's end.
            if (date < FirstDay || date > LastDayAllowed)
                throw OutOfRange(name, text);
            var start = new DateTimeOffset(date.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            return (endOfDay ? start.AddDays(1) : start).ToUnixTimeMilliseconds();
        }
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time))
        {
            if (DateOnly.FromDateTime(time.UtcDateTime) is var day && (day < FirstDay || day > LastDayAllowed))
                throw OutOfRange(name, text);
            return time.ToUnixTimeMilliseconds();
        }
        throw new AdminInputException(name, $"Invalid {name}: expected YYYY-MM-DD or an ISO 8601 time, got '{text}'");
    }
}

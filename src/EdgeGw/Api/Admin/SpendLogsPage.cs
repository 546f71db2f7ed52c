using EdgeGw.Auth;
using EdgeGw.Spend;
using EdgeGw.Storage;

namespace EdgeGw.Api.Admin;

/// <summary>
/// <c>GET /spend/logs/ui</c>, LiteLLM's <c>ui_view_spend_logs</c>: one page of spend log rows, newest first,
/// <c>{"data": [row…], "total", "page", "page_size", "total_pages"}</c>. <c>start_date</c> and <c>end_date</c>
/// are required (<c>YYYY-MM-DD HH:MM:SS</c> UTC, both included; a plain date covers its whole day).
/// </summary>
internal static partial class SpendEndpoints
{
    public static Task LogsPageAsync(HttpContext context, GatewayState state) =>
        AdminHandler.RunAsync(context, state, mutates: false, async (input, data) =>
        {
            var paging = AdminPaging.Read(input, "page_size", defaultSize: 50, maxSize: 100);
            var filter = PageFilter(context, input, data);
            await data.Writer.FlushAsync();
            var total = filter is null ? 0 : await data.SpendReports.CountAsync(filter);
            var rows = filter is null || paging.Offset >= total ? [] : await data.SpendReports.LogsAsync(filter, paging.Size, paging.Offset);
            await AdminOutput.WriteAsync(context, json =>
            {
                json.WriteStartObject();
                json.WriteStartArray("data");
                foreach (var row in rows)
                    SpendLogOutput.WriteRow(json, row);
                json.WriteEndArray();
                json.WriteNumber("total", total);
                json.WriteNumber("page", paging.Page);
                json.WriteNumber("page_size", paging.Size);
                json.WriteNumber("total_pages", paging.TotalPages(total));
                json.WriteEndObject();
            });
        });

    /// <summary>The page's filter; null when it can match nothing (a <c>key_alias</c> no key has).</summary>
    private static SpendFilter? PageFilter(HttpContext context, AdminInput input, GatewayData data)
    {
        var start = Required(input, "start_date", endOfDay: false);
        var end = Required(input, "end_date", endOfDay: true);
        if (start >= end)
            throw new AdminInputException("end_date", "Invalid end_date: must not be before start_date");
        var status = input.String("status_filter");
        if (status is not (null or "success" or "failure"))
            throw new AdminInputException("status_filter", $"Invalid status_filter: '{status}' (use success or failure)");
        var min = input.Money("min_spend");
        var max = input.Money("max_spend");
        if (min > max)
            throw new AdminInputException("max_spend", "Invalid max_spend: must not be below min_spend");
        var apiKey = input.String("api_key") is { } key ? TokenHash.FromKeyOrToken(key).ToHex() : null;
        if (input.String("key_alias") is { } alias)
        {
            var token = data.Accounts.FindKeyByAlias(alias)?.Settings.Token.ToHex();
            if (token is null || (apiKey is not null && apiKey != token))
                return null;
            apiKey = token;
        }
        return new SpendFilter
        {
            StartMs = start,
            EndMs = end,
            ApiKey = apiKey,
            UserId = AdminScope.User(context, input.String("user_id")),
            TeamId = input.String("team_id"),
            RequestId = input.String("request_id"),
            Model = input.String("model"),
            Status = status,
            MinSpendNanos = min is { } low ? Money.ToNanos(low) : null,
            MaxSpendNanos = max is { } high ? Money.ToNanos(high) : null,
        };
    }

    /// <summary>A required date; a date with a time is included (LiteLLM's <c>lte</c>), so the exclusive end is a millisecond on.</summary>
    private static long Required(AdminInput input, string name, bool endOfDay)
    {
        var ms = Date(input, name, endOfDay) ?? throw new AdminInputException(name, $"{name} is required (YYYY-MM-DD HH:MM:SS, UTC)");
        return endOfDay && input.String(name)!.Length != 10 ? ms + 1 : ms;
    }
}

using System.Globalization;
using EdgeGw.Auth;
using EdgeGw.Storage;

namespace EdgeGw.Api.Admin;

/// <summary>
/// <c>GET /user/daily/activity</c> and <c>GET /team/daily/activity</c>: LiteLLM's
/// <c>SpendAnalyticsPaginatedResponse</c> (see <see cref="DailyActivityReport"/>), computed from the spend log
/// with one aggregate query. As LiteLLM pages the rows of its daily tables (one per day, user or team, key,
/// model and provider), <c>page</c> and <c>page_size</c> page those rows, newest day first, and the
/// metadata totals are the page's. A key that belongs to a user may read its own user's activity.
/// </summary>
internal static class DailyActivityEndpoints
{
    public static Task UserAsync(HttpContext context, GatewayState state) =>
        AdminHandler.RunAsync(context, state, mutates: false, async (input, data) =>
        {
            var paging = AdminPaging.Read(input, "page_size", defaultSize: 50, maxSize: 1000);
            var filter = Filter(input) with { UserId = AdminScope.User(context, input.String("user_id")) };
            await WriteAsync(context, data, filter, "user", paging, teams: false);
        });

    public static Task TeamAsync(HttpContext context, GatewayState state) =>
        AdminHandler.RunAsync(context, state, mutates: false, async (input, data) =>
        {
            var paging = AdminPaging.Read(input, "page_size", defaultSize: 10, maxSize: 1000);
            var filter = Filter(input);
            if (input.String("team_ids") is { } ids)
                filter = filter with { TeamIds = ids.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries) };
            await WriteAsync(context, data, filter, "team_id", paging, teams: true);
        });

    private static async Task WriteAsync(HttpContext context, GatewayData data, SpendFilter filter, string entity, AdminPaging paging, bool teams)
    {
        await data.Writer.FlushAsync();
        var cells = await data.SpendReports.ActivityAsync(filter, entity);
        var page = paging.Of(cells).ToList();
        await AdminOutput.WriteAsync(context, json => DailyActivityReport.Write(json, page, data.Accounts, teams, paging, cells.Count));
    }

    private static SpendFilter Filter(AdminInput input)
    {
        var start = Day(input, "start_date");
        var end = Day(input, "end_date");
        if (end < start)
            throw new AdminInputException("end_date", "Invalid end_date: must not be before start_date");
        return new SpendFilter
        {
            StartMs = new DateTimeOffset(start.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero).ToUnixTimeMilliseconds(),
            EndMs = new DateTimeOffset(end.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero).ToUnixTimeMilliseconds(),
            Model = input.String("model"),
            ApiKey = input.String("api_key") is { } key ? TokenHash.FromKeyOrToken(key).ToHex() : null,
        };
    }

    private static readonly DateOnly FirstDay = new(1970, 1, 1);
    private static readonly DateOnly LastDay = new(9000, 12, 31);

    /// <summary>A required UTC day, <c>YYYY-MM-DD</c> as LiteLLM's daily tables key their rows.</summary>
    private static DateOnly Day(AdminInput input, string name)
    {
        var text = input.String(name) ?? throw new AdminInputException(name, $"{name} is required (YYYY-MM-DD)");
        if (!DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day) || day < FirstDay || day > LastDay)
            throw new AdminInputException(name, $"Invalid {name}: expected YYYY-MM-DD between {FirstDay:yyyy-MM-dd} and {LastDay:yyyy-MM-dd}, got '{text}'");
        return day;
    }
}

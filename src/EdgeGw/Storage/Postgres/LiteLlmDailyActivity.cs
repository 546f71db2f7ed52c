using System.Globalization;
using Npgsql;
using static EdgeGw.Storage.Postgres.LiteLlmValues;

namespace EdgeGw.Storage.Postgres;

/// <summary>
/// Daily activity read from LiteLLM's own aggregates (<c>LiteLLM_DailyUserSpend</c>, <c>…TeamSpend</c>), as
/// LiteLLM's UI reads them: they outlive <c>maximum_spend_logs_retention_period</c> and count under
/// <c>disable_spend_logs</c>, and hold what LiteLLM proxies on the same database counted. Used when the table
/// has the columns (older LiteLLM versions lack the request counts) and the filter is one the table can answer
/// (whole UTC days, model, key, the entity); otherwise the caller sums the spend log. Same cells and order
/// as <see cref="SpendActivity"/>; LiteLLM's <c>''</c> for "no user" reads as none.
/// </summary>
internal sealed class LiteLlmDailyActivity(NpgsqlDataSource dataSource)
{
    private const long DayMs = 86_400_000;

    private static readonly string[] Needed =
        ["date", "api_key", "model", "custom_llm_provider", "spend", "prompt_tokens", "completion_tokens", "api_requests", "successful_requests"];

    // Table name → has model_group; read once (LiteLLM migrates before a proxy starts, not while it runs).
    private Dictionary<string, bool>? _tables;

    public async Task<List<ActivityCell>?> TryQueryAsync(SpendFilter filter, string entityColumn, CancellationToken cancel)
    {
        var (table, entity) = entityColumn == "user" ? ("LiteLLM_DailyUserSpend", "user_id") : ("LiteLLM_DailyTeamSpend", "team_id");
        if (!Answerable(filter, entityColumn))
            return null;
        var tables = _tables ??= await DiscoverAsync(cancel);
        if (!tables.TryGetValue(table, out var hasModelGroup))
            return null;
        await using var connection = await dataSource.OpenConnectionAsync(cancel);
        await using var command = new NpgsqlCommand("", connection);
        var clauses = new List<string>();
        void Add(string clause, string name, object? value)
        {
            if (value is null)
                return;
            clauses.Add(clause);
            command.Add(name, value);
        }
        Add("date >= @first", "first", filter.StartMs is { } start ? Day(start) : null);
        Add("date <= @last", "last", filter.EndMs is { } end ? Day(end - 1) : null);
        Add("model = @model", "model", filter.Model);
        Add("api_key = @api_key", "api_key", filter.ApiKey);
        Add("user_id = @user", "user", filter.UserId);
        Add("team_id = ANY(@teams)", "teams", filter.TeamIds);
        var where = clauses.Count == 0 ? "" : " WHERE " + string.Join(" AND ", clauses);
        var group = hasModelGroup ? "COALESCE(model_group, '')" : "''";
        command.CommandText = $"""
            SELECT date, NULLIF({entity}, ''), api_key, model, {group}, NULLIF(custom_llm_provider, ''),
              SUM(spend)::float8, SUM(prompt_tokens)::bigint, SUM(completion_tokens)::bigint, SUM(api_requests)::bigint, SUM(successful_requests)::bigint
            FROM "{table}"{where}
            GROUP BY 1, 2, 3, 4, 5, 6
            ORDER BY date DESC, NULLIF({entity}, '') COLLATE "C" NULLS FIRST, api_key COLLATE "C", model COLLATE "C", {group} COLLATE "C",
              NULLIF(custom_llm_provider, '') COLLATE "C" NULLS FIRST
            """;
        return await ReadAsync(command, cancel);
    }

    /// <summary>Cells from a query whose columns are <see cref="ActivityCell"/>'s, spend in USD.</summary>
    public static async Task<List<ActivityCell>> ReadAsync(NpgsqlCommand command, CancellationToken cancel)
    {
        var cells = new List<ActivityCell>();
        await using var r = await command.ExecuteReaderAsync(cancel);
        while (await r.ReadAsync(cancel))
        {
            cells.Add(new ActivityCell(r.GetString(0), Text(r, 1), r.GetString(2), r.GetString(3), r.GetString(4), Text(r, 5),
                Nanos(r.GetDouble(6)), r.GetInt64(7), r.GetInt64(8), r.GetInt64(9), r.GetInt64(10)));
        }
        return cells;
    }

    /// <summary>Whole UTC days and only the fields the daily table keeps.</summary>
    private static bool Answerable(SpendFilter f, string entityColumn) =>
        (f.StartMs ?? 0) % DayMs == 0 && (f.EndMs ?? 0) % DayMs == 0
        && f.TeamId is null && f.EndUser is null && f.RequestId is null && f.Status is null && f.MinSpendNanos is null && f.MaxSpendNanos is null
        && (f.UserId is null || entityColumn == "user") && (f.TeamIds is null || entityColumn == "team_id");

    private static string Day(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms).UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private async Task<Dictionary<string, bool>> DiscoverAsync(CancellationToken cancel)
    {
        var columns = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        await using var connection = await dataSource.OpenConnectionAsync(cancel);
        await using var command = new NpgsqlCommand("""
            SELECT table_name, column_name FROM information_schema.columns
            WHERE table_schema = current_schema() AND table_name IN ('LiteLLM_DailyUserSpend', 'LiteLLM_DailyTeamSpend')
            """, connection);
        await using (var r = await command.ExecuteReaderAsync(cancel))
        {
            while (await r.ReadAsync(cancel))
            {
                if (!columns.TryGetValue(r.GetString(0), out var set))
                    columns[r.GetString(0)] = set = new HashSet<string>(StringComparer.Ordinal);
                set.Add(r.GetString(1));
            }
        }
        return columns.Where(t => Needed.All(t.Value.Contains))
            .ToDictionary(t => t.Key, t => t.Value.Contains("model_group"), StringComparer.Ordinal);
    }
}

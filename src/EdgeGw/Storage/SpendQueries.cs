using Microsoft.Data.Sqlite;

namespace EdgeGw.Storage;

/// <summary>Filters for <c>/spend/logs</c> and the reports; times are Unix ms, end exclusive.</summary>
internal sealed record SpendFilter
{
    public string? ApiKey { get; init; }
    public string? UserId { get; init; }
    public string? TeamId { get; init; }
    public string? EndUser { get; init; }
    public string? RequestId { get; init; }
    public long? StartMs { get; init; }
    public long? EndMs { get; init; }
    /// <summary>The provider model (<c>model</c> column), as LiteLLM's UI filters.</summary>
    public string? Model { get; init; }
    /// <summary><c>success</c> or <c>failure</c>.</summary>
    public string? Status { get; init; }
    public long? MinSpendNanos { get; init; }
    public long? MaxSpendNanos { get; init; }
    /// <summary>Any of these teams; an empty list matches nothing.</summary>
    public string[]? TeamIds { get; init; }

    /// <summary>The set fields as (column, operator, parameter name, value); <c>start_time</c> in Unix ms.</summary>
    public IEnumerable<(string Column, string Op, string Name, object Value)> Conditions()
    {
        if (ApiKey is not null)
            yield return ("api_key", "=", "api_key", ApiKey);
        if (UserId is not null)
            yield return ("user", "=", "user", UserId);
        if (TeamId is not null)
            yield return ("team_id", "=", "team_id", TeamId);
        if (EndUser is not null)
            yield return ("end_user", "=", "end_user", EndUser);
        if (RequestId is not null)
            yield return ("request_id", "=", "request_id", RequestId);
        if (StartMs is not null)
            yield return ("start_time", ">=", "start", StartMs.Value);
        if (EndMs is not null)
            yield return ("start_time", "<", "end", EndMs.Value);
        if (Model is not null)
            yield return ("model", "=", "model", Model);
        if (Status is not null)
            yield return ("status", "=", "status", Status);
        if (MinSpendNanos is not null)
            yield return ("spend", ">=", "min_spend", MinSpendNanos.Value);
        if (MaxSpendNanos is not null)
            yield return ("spend", "<=", "max_spend", MaxSpendNanos.Value);
        if (TeamIds is not null)
            yield return ("team_id", "IN", "team_ids", TeamIds);
    }
}

/// <summary>One group of a report: a day (or null), a group value, and its sums.</summary>
internal readonly record struct SpendTotal(string? Day, string? Group, long SpendNanos, long TotalTokens, long PromptTokens, long CompletionTokens, long Requests);

/// <summary>
/// One cell of a LiteLLM report breakdown: a day (or null), the group (team id, end user or key),
/// the team's alias when grouped by team, and one model and key's sums.
/// </summary>
internal readonly record struct SpendCell(string? Day, string? Group, string? TeamAlias, string Model, string ApiKey,
    long SpendNanos, long TotalTokens, long PromptTokens, long CompletionTokens, long Requests);

/// <summary>Reads of <c>spend_logs</c>. Sums are over INTEGER nano-dollars: exact.</summary>
internal static class SpendQueries
{
    /// <param name="table">The alias to qualify columns with, in a join.</param>
    public static string Where(SpendFilter f, SqliteCommand command, string table = "")
    {
        var clauses = new List<string>();
        foreach (var (column, op, name, value) in f.Conditions())
        {
            if (value is string[] list)
            {
                // One parameter per item: SQLite has no array parameters.
                clauses.Add(list.Length == 0 ? "0" : $"{table}{column} IN ({string.Join(", ", list.Select((_, i) => $"@{name}{i}"))})");
                for (var i = 0; i < list.Length; i++)
                    command.Add($"@{name}{i}", list[i]);
                continue;
            }
            clauses.Add($"{table}{column} {op} @{name}");
            command.Add("@" + name, value);
        }
        return clauses.Count == 0 ? "" : " WHERE " + string.Join(" AND ", clauses);
    }

    public static long Count(SqliteStore store, SpendFilter filter) => store.Run(c =>
    {
        using var command = c.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM spend_logs" + Where(filter, command);
        return (long)command.ExecuteScalar()!;
    });

    private const string RowColumns = """
        request_id, call_type, api_key, spend, prompt_tokens, completion_tokens, start_time, end_time, model,
          model_group, model_id, api_base, user, team_id, metadata, cache_hit, status, end_user, request_tags, custom_llm_provider, cache_key
        """;

    public static List<SpendRow> Logs(SqliteStore store, SpendFilter filter, int limit, long offset = 0) => store.Run(c =>
    {
        using var command = c.CreateCommand();
        command.CommandText = $"SELECT {RowColumns} FROM spend_logs"
            + Where(filter, command) + " ORDER BY start_time DESC, rowid DESC LIMIT @limit OFFSET @offset"; // newest first, as LiteLLM lists them
        command.Add("@limit", limit);
        command.Add("@offset", offset);
        var rows = new List<SpendRow>();
        using var r = command.ExecuteReader();
        while (r.Read())
            rows.Add(Row(r));
        return rows;
    });

    /// <summary>Up to <paramref name="limit"/> rows after <paramref name="afterRowId"/> in storage order, each with its row id: a whole table read in pages.</summary>
    public static List<(long RowId, SpendRow Row)> Page(SqliteStore store, long afterRowId, int limit) => store.Run(c =>
    {
        using var command = c.CreateCommand();
        command.CommandText = $"SELECT {RowColumns}, row_id FROM spend_logs WHERE row_id > @after ORDER BY row_id LIMIT @limit";
        command.Add("@after", afterRowId);
        command.Add("@limit", limit);
        var rows = new List<(long, SpendRow)>();
        using var r = command.ExecuteReader();
        while (r.Read())
            rows.Add((r.GetInt64(21), Row(r)));
        return rows;
    });

    private static SpendRow Row(SqliteDataReader r) => new()
    {
        RequestId = r.GetString(0),
        CallType = r.GetString(1),
        ApiKey = r.GetString(2),
        SpendNanos = r.GetInt64(3),
        PromptTokens = r.GetInt64(4),
        CompletionTokens = r.GetInt64(5),
        StartTime = DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(6)),
        EndTime = DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(7)),
        Model = r.GetString(8),
        ModelGroup = r.GetString(9),
        ModelId = r.GetString(10),
        ApiBase = r.GetString(11),
        User = r.StringOrNull(12),
        TeamId = r.StringOrNull(13),
        MetadataJson = r.GetString(14),
        CacheHit = r.GetInt64(15) != 0,
        Status = r.GetString(16),
        EndUser = r.StringOrNull(17),
        RequestTagsJson = r.GetString(18),
        Provider = r.StringOrNull(19),
        CacheKey = r.StringOrNull(20),
    };

    public static List<SpendTotal> Totals(SqliteStore store, SpendFilter filter, string groupColumn, bool byDay, int? limit = null) => store.Run(c =>
    {
        using var command = c.CreateCommand();
        var day = byDay ? "date(start_time / 1000, 'unixepoch')" : "NULL";
        command.CommandText = $"""
            SELECT {day} AS day, {groupColumn} AS grp, SUM(spend), SUM(total_tokens), SUM(prompt_tokens), SUM(completion_tokens), COUNT(*)
            FROM spend_logs{Where(filter, command)} GROUP BY day, grp ORDER BY day, SUM(spend) DESC, grp
            """ + (limit is null ? "" : " LIMIT @limit");
        if (limit is not null)
            command.Add("@limit", limit.Value);
        var totals = new List<SpendTotal>();
        using var r = command.ExecuteReader();
        while (r.Read())
            totals.Add(new SpendTotal(r.StringOrNull(0), r.StringOrNull(1), r.GetInt64(2), r.GetInt64(3), r.GetInt64(4), r.GetInt64(5), r.GetInt64(6)));
        return totals;
    });

    /// <summary>
    /// Sums per day (when <paramref name="byDay"/>), group, model and key — the rows LiteLLM's report SQL
    /// aggregates into its nested breakdowns. <paramref name="groupColumn"/> is a fixed column name;
    /// grouped by <c>team_id</c>, the team's alias comes along (LEFT JOIN, as LiteLLM's query).
    /// </summary>
    public static List<SpendCell> Breakdown(SqliteStore store, SpendFilter filter, string? groupColumn, bool byDay) => store.Run(c =>
    {
        using var command = c.CreateCommand();
        var day = byDay ? "date(sl.start_time / 1000, 'unixepoch')" : "NULL";
        var group = groupColumn is null ? "NULL" : "sl." + groupColumn;
        var alias = groupColumn == "team_id" ? "t.team_alias" : "NULL";
        command.CommandText = $"""
            SELECT {day} AS day, {group} AS grp, {alias} AS alias, sl.model, sl.api_key,
              SUM(sl.spend), SUM(sl.total_tokens), SUM(sl.prompt_tokens), SUM(sl.completion_tokens), COUNT(*)
            FROM spend_logs sl LEFT JOIN teams t ON sl.team_id = t.team_id{Where(filter, command, "sl.")}
            GROUP BY day, grp, alias, sl.model, sl.api_key ORDER BY day, grp, SUM(sl.spend) DESC
            """;
        var cells = new List<SpendCell>();
        using var r = command.ExecuteReader();
        while (r.Read())
        {
            cells.Add(new SpendCell(r.StringOrNull(0), r.StringOrNull(1), r.StringOrNull(2), r.GetString(3), r.GetString(4),
                r.GetInt64(5), r.GetInt64(6), r.GetInt64(7), r.GetInt64(8), r.GetInt64(9)));
        }
        return cells;
    });
}

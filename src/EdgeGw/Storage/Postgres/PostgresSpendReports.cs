using Npgsql;
using static EdgeGw.Storage.Postgres.LiteLlmValues;

namespace EdgeGw.Storage.Postgres;

/// <summary>
/// The spend reports over LiteLLM's <c>LiteLLM_SpendLogs</c> (rows from every replica, and from a
/// LiteLLM proxy on the same database): days are UTC dates of <c>"startTime"</c>, spend is summed in
/// USD floats as LiteLLM stores it and turned into nano-dollars. Same shapes and order as
/// <see cref="SqliteSpendReports"/> (NULL groups first, byte order), so the endpoints cannot tell them apart.
/// </summary>
internal sealed class PostgresSpendReports(NpgsqlDataSource dataSource) : ISpendReports
{
    private readonly LiteLlmDailyActivity _daily = new(dataSource);

    private static string Column(string name) => name switch
    {
        "model" or "model_group" or "team_id" or "end_user" or "api_key" => name,
        "user" => "\"user\"",
        _ => throw new ArgumentException($"not a spend report column: {name}", nameof(name)),
    };

    // LiteLLM's column names; times are its UTC timestamps.
    private static string Where(SpendFilter f, NpgsqlCommand command, string table = "")
    {
        var clauses = new List<string>();
        foreach (var (column, op, name, value) in f.Conditions())
        {
            var (pgColumn, pgValue) = column switch
            {
                "start_time" => ("\"startTime\"", (object)Timestamp(DateTimeOffset.FromUnixTimeMilliseconds((long)value))),
                "user" => ("\"user\"", value),
                "spend" => (column, Usd((long)value)), // LiteLLM stores USD floats
                _ => (column, value),
            };
            command.Add(name, pgValue);
            if (op == "IN")
                clauses.Add($"{table}{pgColumn} = ANY(@{name})");
            else if (column == "status" && Equals(value, "success"))
                clauses.Add($"({table}status = @{name} OR {table}status IS NULL)"); // rows from LiteLLM versions before the column
            else
                clauses.Add($"{table}{pgColumn} {op} @{name}");
        }
        return clauses.Count == 0 ? "" : " WHERE " + string.Join(" AND ", clauses);
    }

    public async Task<long> CountAsync(SpendFilter filter, CancellationToken cancel = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancel);
        await using var command = new NpgsqlCommand("", connection);
        command.CommandText = "SELECT COUNT(*) FROM \"LiteLLM_SpendLogs\"" + Where(filter, command);
        return (long)(await command.ExecuteScalarAsync(cancel))!;
    }

    public async Task<List<ActivityCell>> ActivityAsync(SpendFilter filter, string entityColumn, CancellationToken cancel = default)
    {
        var entity = entityColumn is "user" or "team_id" ? Column(entityColumn) : throw new ArgumentException($"not an activity entity: {entityColumn}", nameof(entityColumn));
        if (await _daily.TryQueryAsync(filter, entityColumn, cancel) is { } daily)
            return daily;
        await using var connection = await dataSource.OpenConnectionAsync(cancel);
        await using var command = new NpgsqlCommand("", connection);
        command.CommandText = $"""
            SELECT to_char("startTime", 'YYYY-MM-DD'), {entity}, api_key, model, COALESCE(model_group, ''), custom_llm_provider,
              SUM(spend), SUM(prompt_tokens), SUM(completion_tokens), COUNT(*), COUNT(*) FILTER (WHERE status = 'success' OR status IS NULL)
            FROM "LiteLLM_SpendLogs"{SpendActivity.OfEntity(Where(filter, command), entityColumn)}
            GROUP BY 1, 2, 3, 4, 5, 6
            ORDER BY 1 DESC, {entity} COLLATE "C" NULLS FIRST, api_key COLLATE "C", model COLLATE "C", COALESCE(model_group, '') COLLATE "C",
              custom_llm_provider COLLATE "C" NULLS FIRST
            """;
        return await LiteLlmDailyActivity.ReadAsync(command, cancel);
    }

    public async Task<List<SpendRow>> LogsAsync(SpendFilter filter, int limit, long offset = 0, CancellationToken cancel = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancel);
        await using var command = new NpgsqlCommand("", connection);
        command.CommandText = """
            SELECT request_id, call_type, api_key, spend, prompt_tokens, completion_tokens, "startTime", "endTime", model,
              model_group, model_id, api_base, "user", team_id, metadata::text, cache_hit, status, end_user, request_tags::text, custom_llm_provider, cache_key
            FROM "LiteLLM_SpendLogs"
            """ + Where(filter, command) + " ORDER BY \"startTime\" DESC, request_id COLLATE \"C\" DESC LIMIT @limit OFFSET @offset";
        command.Add("limit", limit);
        command.Add("offset", offset);
        var rows = new List<SpendRow>();
        await using var r = await command.ExecuteReaderAsync(cancel);
        while (await r.ReadAsync(cancel))
        {
            rows.Add(new SpendRow
            {
                RequestId = r.GetString(0),
                CallType = r.GetString(1),
                ApiKey = r.GetString(2),
                SpendNanos = Nanos(r.GetDouble(3)),
                PromptTokens = r.GetInt32(4),
                CompletionTokens = r.GetInt32(5),
                StartTime = Time(r.GetDateTime(6)),
                EndTime = Time(r.GetDateTime(7)),
                Model = r.GetString(8),
                ModelGroup = Text(r, 9) ?? "",
                ModelId = Text(r, 10) ?? "",
                ApiBase = Text(r, 11) ?? "",
                User = Text(r, 12),
                TeamId = Text(r, 13),
                MetadataJson = JsonText(r, 14, "{}"),
                CacheHit = string.Equals(Text(r, 15), "True", StringComparison.OrdinalIgnoreCase),
                Status = Text(r, 16) ?? "success", // rows from LiteLLM versions before the column
                EndUser = Text(r, 17),
                RequestTagsJson = JsonText(r, 18, "[]"),
                Provider = Text(r, 19),
                CacheKey = Text(r, 20) is { Length: > 0 } key && key != SpendRow.NoCacheKey ? key : null, // '' is the schema default
            });
        }
        return rows;
    }

    public async Task<List<SpendTotal>> TotalsAsync(SpendFilter filter, string groupColumn, bool byDay, int? limit = null, CancellationToken cancel = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancel);
        await using var command = new NpgsqlCommand("", connection);
        var day = byDay ? "to_char(\"startTime\", 'YYYY-MM-DD')" : "NULL::text";
        command.CommandText = $"""
            SELECT {day} AS day, {Column(groupColumn)} AS grp, SUM(spend), SUM(total_tokens), SUM(prompt_tokens), SUM(completion_tokens), COUNT(*)
            FROM "LiteLLM_SpendLogs"{Where(filter, command)}
            GROUP BY 1, 2 ORDER BY 1 NULLS FIRST, 3 DESC, {Column(groupColumn)} COLLATE "C" NULLS FIRST
            """ + (limit is null ? "" : " LIMIT @limit");
        if (limit is not null)
            command.Add("limit", limit.Value);
        var totals = new List<SpendTotal>();
        await using var r = await command.ExecuteReaderAsync(cancel);
        while (await r.ReadAsync(cancel))
            totals.Add(new SpendTotal(Text(r, 0), Text(r, 1), Nanos(r.GetDouble(2)), r.GetInt64(3), r.GetInt64(4), r.GetInt64(5), r.GetInt64(6)));
        return totals;
    }

    public async Task<List<SpendCell>> BreakdownAsync(SpendFilter filter, string? groupColumn, bool byDay, CancellationToken cancel = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancel);
        await using var command = new NpgsqlCommand("", connection);
        var day = byDay ? "to_char(sl.\"startTime\", 'YYYY-MM-DD')" : "NULL::text";
        var group = groupColumn is null ? "NULL::text" : "sl." + Column(groupColumn);
        var alias = groupColumn == "team_id" ? "t.team_alias" : "NULL::text";
        command.CommandText = $"""
            SELECT {day} AS day, {group} AS grp, {alias} AS alias, sl.model, sl.api_key,
              SUM(sl.spend), SUM(sl.total_tokens), SUM(sl.prompt_tokens), SUM(sl.completion_tokens), COUNT(*)
            FROM "LiteLLM_SpendLogs" sl LEFT JOIN "LiteLLM_TeamTable" t ON sl.team_id = t.team_id{Where(filter, command, "sl.")}
            GROUP BY 1, 2, 3, 4, 5 ORDER BY 1 NULLS FIRST, {group} COLLATE "C" NULLS FIRST, 6 DESC
            """;
        var cells = new List<SpendCell>();
        await using var r = await command.ExecuteReaderAsync(cancel);
        while (await r.ReadAsync(cancel))
        {
            cells.Add(new SpendCell(Text(r, 0), Text(r, 1), Text(r, 2), r.GetString(3), r.GetString(4),
                Nanos(r.GetDouble(5)), r.GetInt64(6), r.GetInt64(7), r.GetInt64(8), r.GetInt64(9)));
        }
        return cells;
    }
}

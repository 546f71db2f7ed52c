using System.Globalization;
using System.Text.Json;
using Npgsql;
using static EdgeGw.Storage.Postgres.LiteLlmValues;

namespace EdgeGw.Storage.Postgres;

/// <summary>
/// The daily aggregates LiteLLM's UI reads (<c>LiteLLM_DailyUserSpend</c>, <c>…TeamSpend</c>,
/// <c>…TagSpend</c>, <c>…EndUserSpend</c>): a batch's rows summed per (entity, UTC date of
/// <c>startTime</c>, api_key, model, custom_llm_provider), then one upsert per table that adds to an
/// existing day, as LiteLLM's <c>_update_daily_spend</c>. The conflict target is the table's own
/// unique index (its columns differ between LiteLLM versions), and every column of it is written
/// non-null (<c>''</c> where LiteLLM has no value): NULLs never conflict, so a NULL would start a
/// new row each batch.
/// </summary>
internal sealed class LiteLlmDailySpend
{
    private static readonly (string Table, string Entity)[] Tables =
    [
        ("LiteLLM_DailyUserSpend", "user_id"),
        ("LiteLLM_DailyTeamSpend", "team_id"),
        ("LiteLLM_DailyTagSpend", "tag"),
        ("LiteLLM_DailyEndUserSpend", "end_user_id"),
    ];

    // Written when the table has them (older LiteLLM versions lack some).
    private static readonly string[] Optional =
        ["model_group", "custom_llm_provider", "mcp_namespaced_tool_name", "endpoint", "api_requests", "successful_requests", "failed_requests", "request_id"];

    private readonly List<Target> _targets;

    private LiteLlmDailySpend(List<Target> targets) => _targets = targets;

    private sealed record Target(string Table, string Entity, string[] ConflictColumns, HashSet<string> Columns);

    private readonly record struct Key(string Entity, string Date, string ApiKey, string Model, string Provider);

    private sealed class Sums
    {
        public string? ModelGroup;
        public string? RequestId;
        public long SpendNanos;
        public long Prompt;
        public long Completion;
        public long Requests;
        public long Successes;
    }

    /// <summary>Reads which daily tables exist, their columns and their unique key.</summary>
    public static LiteLlmDailySpend Discover(NpgsqlConnection connection, NpgsqlTransaction tx)
    {
        var names = Tables.Select(t => t.Table).ToArray();
        var columns = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        using (var command = new NpgsqlCommand("""
            SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ANY(@tables)
            """, connection, tx))
        {
            command.Add("tables", names);
            using var r = command.ExecuteReader();
            while (r.Read())
            {
                if (!columns.TryGetValue(r.GetString(0), out var set))
                    columns[r.GetString(0)] = set = new HashSet<string>(StringComparer.Ordinal);
                set.Add(r.GetString(1));
            }
        }
        var uniques = new List<(string Table, string[] Columns)>();
        using (var command = new NpgsqlCommand("""
            SELECT t.relname, array_agg(a.attname::text ORDER BY k.ord)
            FROM pg_index i
              JOIN pg_class t ON t.oid = i.indrelid
              JOIN pg_namespace n ON n.oid = t.relnamespace
              CROSS JOIN LATERAL unnest(i.indkey::smallint[]) WITH ORDINALITY AS k(attnum, ord)
              JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
            WHERE n.nspname = current_schema() AND i.indisunique AND NOT i.indisprimary AND i.indpred IS NULL AND t.relname = ANY(@tables)
            GROUP BY t.relname, i.indexrelid
            """, connection, tx))
        {
            command.Add("tables", names);
            using var r = command.ExecuteReader();
            while (r.Read())
                uniques.Add((r.GetString(0), r.GetFieldValue<string[]>(1)));
        }
        var targets = new List<Target>();
        foreach (var (table, entity) in Tables)
        {
            // A table without LiteLLM's unique key cannot be upserted; it is left alone.
            if (!columns.TryGetValue(table, out var have)
                || uniques.FirstOrDefault(u => u.Table == table && u.Columns.Contains(entity) && u.Columns.Contains("date")).Columns is not { } key)
                continue;
            targets.Add(new Target(table, entity, key, have));
        }
        return new LiteLlmDailySpend(targets);
    }

    /// <summary>Adds the rows to every daily table; returns the upserted groups.</summary>
    /// <param name="asStored">Rows read back from another store: their tags as stored, not rebuilt.</param>
    public int Add(NpgsqlConnection connection, NpgsqlTransaction tx, IReadOnlyList<SpendRow> rows, SpendRowJson json, bool asStored = false)
    {
        if (rows.Count == 0)
            return 0;
        var groups = 0;
        foreach (var target in _targets)
        {
            var sums = new SortedDictionary<Key, Sums>(KeyOrder.Instance);
            foreach (var row in rows)
            {
                foreach (var entity in Entities(target.Entity, row, json, asStored))
                {
                    var key = new Key(entity, row.StartTime.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), row.ApiKey, row.Model, row.Provider ?? "");
                    if (!sums.TryGetValue(key, out var s))
                        sums[key] = s = new Sums();
                    s.ModelGroup = row.ModelGroup;
                    s.RequestId = row.RequestId;
                    s.SpendNanos = Spend.Money.Add(s.SpendNanos, row.SpendNanos);
                    s.Prompt += row.PromptTokens;
                    s.Completion += row.CompletionTokens;
                    s.Requests++;
                    if (row.Status == "success")
                        s.Successes++;
                }
            }
            if (sums.Count > 0)
                Upsert(connection, tx, target, sums);
            groups += sums.Count;
        }
        return groups;
    }

    // LiteLLM: the key's user (rows without one count under ''), the team and the end user when set, each request tag.
    private static IEnumerable<string> Entities(string entity, SpendRow row, SpendRowJson json, bool asStored) => entity switch
    {
        "user_id" => [row.User ?? ""],
        "team_id" => row.TeamId is { Length: > 0 } team ? [team] : [],
        "end_user_id" => row.EndUser is { Length: > 0 } endUser ? [endUser] : [],
        _ => TagList(asStored ? System.Text.Encoding.UTF8.GetBytes(row.RequestTagsJson) : json.Tags(row)),
    };

    private static List<string> TagList(ReadOnlySpan<byte> array)
    {
        var tags = new List<string>();
        var reader = new Utf8JsonReader(array);
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.String && reader.GetString() is { Length: > 0 } tag && !tags.Contains(tag))
                tags.Add(tag);
        }
        return tags;
    }

    private static void Upsert(NpgsqlConnection connection, NpgsqlTransaction tx, Target target, SortedDictionary<Key, Sums> sums)
    {
        var n = sums.Count;
        var values = new Dictionary<string, Array>(StringComparer.Ordinal)
        {
            [target.Entity] = new string[n],
            ["date"] = new string[n],
            ["api_key"] = new string[n],
            ["model"] = new string[n],
            ["model_group"] = new string?[n],
            ["custom_llm_provider"] = new string[n],
            ["mcp_namespaced_tool_name"] = new string[n],
            ["endpoint"] = new string[n],
            ["request_id"] = new string?[n],
            ["prompt_tokens"] = new long[n],
            ["completion_tokens"] = new long[n],
            ["spend"] = new double[n],
            ["api_requests"] = new long[n],
            ["successful_requests"] = new long[n],
            ["failed_requests"] = new long[n],
        };
        var i = 0;
        foreach (var (key, s) in sums)
        {
            ((string[])values[target.Entity])[i] = key.Entity;
            ((string[])values["date"])[i] = key.Date;
            ((string[])values["api_key"])[i] = key.ApiKey;
            ((string[])values["model"])[i] = key.Model;
            ((string?[])values["model_group"])[i] = s.ModelGroup;
            ((string[])values["custom_llm_provider"])[i] = key.Provider;
            ((string[])values["mcp_namespaced_tool_name"])[i] = "";
            ((string[])values["endpoint"])[i] = "";
            ((string?[])values["request_id"])[i] = s.RequestId;
            ((long[])values["prompt_tokens"])[i] = s.Prompt;
            ((long[])values["completion_tokens"])[i] = s.Completion;
            ((double[])values["spend"])[i] = Usd(s.SpendNanos);
            ((long[])values["api_requests"])[i] = s.Requests;
            ((long[])values["successful_requests"])[i] = s.Successes;
            ((long[])values["failed_requests"])[i] = s.Requests - s.Successes;
            i++;
        }
        var written = values.Keys.Where(c => !Optional.Contains(c) || target.Columns.Contains(c))
            .Where(c => c != "request_id" || target.Entity == "tag").ToList();
        var added = written.Where(c => c is "prompt_tokens" or "completion_tokens" or "spend" or "api_requests" or "successful_requests" or "failed_requests");
        var set = string.Join(", ", added.Select(c => $"\"{c}\" = t.\"{c}\" + excluded.\"{c}\"")
            .Append("updated_at = excluded.updated_at")
            .Concat(written.Contains("request_id") ? ["request_id = excluded.request_id"] : []));
        var parameters = written.Select((c, j) => (Column: c, Name: "p" + j.ToString(CultureInfo.InvariantCulture))).ToList();
        // Sorted input: replicas upserting the same days take their row locks in one order.
        var sql = $"""
            INSERT INTO "{target.Table}" AS t (id, {string.Join(", ", written.Select(c => $"\"{c}\""))}, updated_at)
            SELECT gen_random_uuid()::text, {string.Join(", ", parameters.Select(p => p.Name))}, now() AT TIME ZONE 'UTC'
            FROM unnest({string.Join(", ", parameters.Select(p => "@" + p.Name))}) WITH ORDINALITY AS x({string.Join(", ", parameters.Select(p => p.Name))}, ord)
            ORDER BY ord
            ON CONFLICT ({string.Join(", ", target.ConflictColumns.Select(c => $"\"{c}\""))}) DO UPDATE SET {set}
            """;
        using var command = new NpgsqlCommand(sql, connection, tx);
        foreach (var (column, name) in parameters)
            command.Add(name, values[column]);
        command.ExecuteNonQuery();
    }

    private sealed class KeyOrder : IComparer<Key>
    {
        public static readonly KeyOrder Instance = new();

        public int Compare(Key a, Key b)
        {
            var c = string.CompareOrdinal(a.Date, b.Date);
            if (c == 0)
                c = string.CompareOrdinal(a.Entity, b.Entity);
            if (c == 0)
                c = string.CompareOrdinal(a.ApiKey, b.ApiKey);
            if (c == 0)
                c = string.CompareOrdinal(a.Model, b.Model);
            return c != 0 ? c : string.CompareOrdinal(a.Provider, b.Provider);
        }
    }
}

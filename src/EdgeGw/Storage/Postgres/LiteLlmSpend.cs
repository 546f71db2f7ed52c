using System.Text;
using Npgsql;
using static EdgeGw.Storage.Postgres.LiteLlmValues;

namespace EdgeGw.Storage.Postgres;

/// <summary>
/// Spend into LiteLLM's tables: request rows into <c>LiteLLM_SpendLogs</c> in one multi-row insert per
/// batch, and counters moved by increments (<c>spend = spend + x</c>) so that replicas sharing the
/// database add up instead of overwriting each other. Both run in the caller's transaction.
/// </summary>
internal static class LiteLlmSpend
{
    /// <summary>
    /// Inserts a batch. A request id already stored keeps its first row, as LiteLLM's batch writer
    /// (<c>create_many(skip_duplicates=True)</c>): in LiteLLM's table the request id is the key.
    /// Returns the rows inserted.
    /// </summary>
    /// <param name="asStored">Rows read back from another store (<c>edgegw db copy</c>): their metadata and tags as they were stored, not rebuilt.</param>
    public static int InsertLogs(NpgsqlConnection connection, NpgsqlTransaction tx, IReadOnlyList<SpendRow> rows, SpendRowJson json, bool asStored = false)
    {
        if (rows.Count == 0)
            return 0;
        var n = rows.Count;
        var ids = new string[n];
        var callTypes = new string[n];
        var apiKeys = new string[n];
        var spend = new double[n];
        var total = new int[n];
        var prompt = new int[n];
        var completion = new int[n];
        var starts = new DateTime[n];
        var ends = new DateTime[n];
        var durations = new int[n];
        var models = new string[n];
        var modelIds = new string[n];
        var groups = new string[n];
        var providers = new string?[n];
        var bases = new string[n];
        var users = new string?[n];
        var metadata = new string[n];
        var cacheHits = new string[n];
        var cacheKeys = new string[n];
        var tags = new string[n];
        var teams = new string?[n];
        var endUsers = new string?[n];
        var statuses = new string[n];
        for (var i = 0; i < n; i++)
        {
            var r = rows[i];
            ids[i] = r.RequestId;
            callTypes[i] = r.CallType;
            apiKeys[i] = r.ApiKey;
            spend[i] = Usd(r.SpendNanos);
            total[i] = Tokens(r.TotalTokens);
            prompt[i] = Tokens(r.PromptTokens);
            completion[i] = Tokens(r.CompletionTokens);
            starts[i] = Timestamp(r.StartTime);
            ends[i] = Timestamp(r.EndTime);
            durations[i] = (int)Math.Clamp((r.EndTime - r.StartTime).TotalMilliseconds, 0, int.MaxValue);
            models[i] = r.Model;
            modelIds[i] = r.ModelId;
            groups[i] = r.ModelGroup;
            providers[i] = r.Provider;
            bases[i] = r.ApiBase;
            users[i] = r.User;
            metadata[i] = asStored ? r.MetadataJson : Encoding.UTF8.GetString(json.Metadata(r));
            cacheHits[i] = r.CacheHit ? "True" : "False"; // Python's str(bool), as LiteLLM stores it
            cacheKeys[i] = r.CacheKey ?? SpendRow.NoCacheKey;
            tags[i] = asStored ? r.RequestTagsJson : Encoding.UTF8.GetString(json.Tags(r));
            teams[i] = r.TeamId;
            endUsers[i] = r.EndUser;
            statuses[i] = r.Status;
        }
        using var command = new NpgsqlCommand("""
            INSERT INTO "LiteLLM_SpendLogs" (request_id, call_type, api_key, spend, total_tokens, prompt_tokens, completion_tokens,
              "startTime", "endTime", request_duration_ms, model, model_id, model_group, custom_llm_provider, api_base, "user",
              metadata, cache_hit, cache_key, request_tags, team_id, end_user, status)
            SELECT request_id, call_type, api_key, spend, total_tokens, prompt_tokens, completion_tokens, start_time, end_time,
              duration, model, model_id, model_group, provider, api_base, usr, metadata::jsonb, cache_hit, cache_key, tags::jsonb, team_id, end_user, status
            FROM unnest(@ids, @call_types, @api_keys, @spend, @total, @prompt, @completion, @starts, @ends, @durations, @models,
              @model_ids, @groups, @providers, @bases, @users, @metadata, @cache_hits, @cache_keys, @tags, @teams, @end_users, @statuses)
              AS r(request_id, call_type, api_key, spend, total_tokens, prompt_tokens, completion_tokens, start_time, end_time, duration,
                   model, model_id, model_group, provider, api_base, usr, metadata, cache_hit, cache_key, tags, team_id, end_user, status)
            ON CONFLICT (request_id) DO NOTHING
            """, connection, tx);
        command.Add("ids", ids);
        command.Add("call_types", callTypes);
        command.Add("api_keys", apiKeys);
        command.Add("spend", spend);
        command.Add("total", total);
        command.Add("prompt", prompt);
        command.Add("completion", completion);
        command.Add("starts", starts);
        command.Add("ends", ends);
        command.Add("durations", durations);
        command.Add("models", models);
        command.Add("model_ids", modelIds);
        command.Add("groups", groups);
        command.Add("providers", providers);
        command.Add("bases", bases);
        command.Add("users", users);
        command.Add("metadata", metadata);
        command.Add("cache_hits", cacheHits);
        command.Add("cache_keys", cacheKeys);
        command.Add("tags", tags);
        command.Add("teams", teams);
        command.Add("end_users", endUsers);
        command.Add("statuses", statuses);
        return command.ExecuteNonQuery();
    }

    /// <summary>
    /// Adds each amount to its counter's <c>spend</c> column, summed per counter first: one statement per
    /// table, atomic against other writers. A team member without a membership row gets one; the
    /// proxy's total goes to the <c>litellm-proxy-budget</c> user row (created if missing). Tables in
    /// one order and ids sorted, so two replicas' batches lock rows in the same order (no deadlock).
    /// </summary>
    public static void AddSpend(NpgsqlConnection connection, NpgsqlTransaction tx, IEnumerable<(CounterTable Table, string Id, long Nanos)> amounts)
    {
        var sums = new Dictionary<(CounterTable, string), long>();
        foreach (var (table, id, nanos) in amounts)
        {
            var key = (table, table == CounterTable.Global ? LiteLlmAccounts.ProxyBudgetUser : id);
            sums[key] = Spend.Money.Add(sums.GetValueOrDefault(key), nanos);
        }
        foreach (var group in sums.Where(s => s.Value != 0).GroupBy(s => s.Key.Item1).OrderBy(g => g.Key))
        {
            var sorted = group.OrderBy(s => s.Key.Item2, StringComparer.Ordinal).ToArray();
            var ids = sorted.Select(s => s.Key.Item2).ToArray();
            var usd = sorted.Select(s => Usd(s.Value)).ToArray();
            var sql = group.Key switch
            {
                CounterTable.Key => """
                    SELECT 1 FROM "LiteLLM_VerificationToken" WHERE token = ANY(@ids) ORDER BY token FOR UPDATE;
                    UPDATE "LiteLLM_VerificationToken" t SET spend = t.spend + d.usd FROM unnest(@ids, @usd) AS d(id, usd) WHERE t.token = d.id
                    """,
                CounterTable.Team => """
                    SELECT 1 FROM "LiteLLM_TeamTable" WHERE team_id = ANY(@ids) ORDER BY team_id FOR UPDATE;
                    UPDATE "LiteLLM_TeamTable" t SET spend = t.spend + d.usd FROM unnest(@ids, @usd) AS d(id, usd) WHERE t.team_id = d.id
                    """,
                CounterTable.User => """
                    SELECT 1 FROM "LiteLLM_UserTable" WHERE user_id = ANY(@ids) ORDER BY user_id FOR UPDATE;
                    UPDATE "LiteLLM_UserTable" t SET spend = t.spend + d.usd FROM unnest(@ids, @usd) AS d(id, usd) WHERE t.user_id = d.id
                    """,
                CounterTable.Global => """
                    INSERT INTO "LiteLLM_UserTable" (user_id, spend, models, teams) SELECT id, usd, '{}', '{}' FROM unnest(@ids, @usd) AS d(id, usd)
                    ON CONFLICT (user_id) DO UPDATE SET spend = "LiteLLM_UserTable".spend + excluded.spend
                    """,
                _ => """
                    INSERT INTO "LiteLLM_TeamMembership" (team_id, user_id, spend)
                    SELECT split_part(id, chr(31), 1), split_part(id, chr(31), 2), usd FROM unnest(@ids, @usd) AS d(id, usd) ORDER BY id
                    ON CONFLICT (user_id, team_id) DO UPDATE SET spend = "LiteLLM_TeamMembership".spend + excluded.spend
                    """,
            };
            using var command = new NpgsqlCommand(sql, connection, tx);
            command.Add("ids", ids);
            command.Add("usd", usd);
            command.ExecuteNonQuery();
        }
    }

    private static int Tokens(long count) => (int)Math.Clamp(count, 0, int.MaxValue);
}

namespace EdgeGw.Storage;

/// <summary>
/// One row of LiteLLM's daily activity tables (<c>LiteLLM_DailyUserSpend</c>, <c>…TeamSpend</c>): a UTC day,
/// the entity (user or team; null when the request had none), a key, a model and its provider, and their sums.
/// </summary>
internal readonly record struct ActivityCell(string Day, string? Entity, string ApiKey, string Model, string ModelGroup, string? Provider,
    long SpendNanos, long PromptTokens, long CompletionTokens, long Requests, long Successes)
{
    public long Failures => Requests - Successes;
}

/// <summary>
/// The daily activity cells over <c>spend_logs</c>, in one aggregate query: newest day first, then entity,
/// key, model, model group and provider in byte order (NULL first), so every page of them is stable.
/// </summary>
internal static class SpendActivity
{
    /// <summary>
    /// Team activity covers team traffic only: LiteLLM's <c>LiteLLM_DailyTeamSpend</c> has no row for a request
    /// without a team (user activity counts those under no user).
    /// </summary>
    public static string OfEntity(string where, string entityColumn) =>
        entityColumn != "team_id" ? where : where + (where.Length == 0 ? " WHERE " : " AND ") + "team_id IS NOT NULL AND team_id <> ''";

    /// <summary><paramref name="entityColumn"/> is <c>user</c> or <c>team_id</c> (a fixed name, never a user's text).</summary>
    public static List<ActivityCell> Query(SqliteStore store, SpendFilter filter, string entityColumn) => store.Run(c =>
    {
        var entity = entityColumn switch
        {
            "user" or "team_id" => entityColumn,
            _ => throw new ArgumentException($"not an activity entity: {entityColumn}", nameof(entityColumn)),
        };
        using var command = c.CreateCommand();
        command.CommandText = $"""
            SELECT date(start_time / 1000, 'unixepoch') AS day, {entity} AS entity, api_key, model, model_group, custom_llm_provider,
              SUM(spend), SUM(prompt_tokens), SUM(completion_tokens), COUNT(*), SUM(status = 'success')
            FROM spend_logs{OfEntity(SpendQueries.Where(filter, command), entity)}
            GROUP BY day, entity, api_key, model, model_group, custom_llm_provider
            ORDER BY day DESC, entity, api_key, model, model_group, custom_llm_provider
            """;
        var cells = new List<ActivityCell>();
        using var r = command.ExecuteReader();
        while (r.Read())
        {
            cells.Add(new ActivityCell(r.GetString(0), r.StringOrNull(1), r.GetString(2), r.GetString(3), r.GetString(4), r.StringOrNull(5),
                r.GetInt64(6), r.GetInt64(7), r.GetInt64(8), r.GetInt64(9), r.GetInt64(10)));
        }
        return cells;
    });
}

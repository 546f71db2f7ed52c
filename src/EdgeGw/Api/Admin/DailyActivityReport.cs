using System.Text.Json;
using EdgeGw.Auth;
using EdgeGw.Spend;
using EdgeGw.Storage;

namespace EdgeGw.Api.Admin;

/// <summary>
/// LiteLLM's <c>SpendAnalyticsPaginatedResponse</c> from a page of <see cref="ActivityCell"/>s:
/// <code>
/// {"results": [{"date", "metrics": {spend, prompt_tokens, completion_tokens, cache_read_input_tokens,
///     cache_creation_input_tokens, total_tokens, successful_requests, failed_requests, api_requests},
///   "breakdown": {"models", "model_groups", "mcp_servers", "providers", "endpoints", "entities":
///     {name: {metrics, metadata, api_key_breakdown: {hash: {metrics, metadata: {key_alias, team_id}}}}},
///     "api_keys": {hash: {metrics, metadata}}}}],
///  "metadata": {total_spend, total_prompt_tokens, …, page, total_pages, has_more}}
/// </code>
/// Days newest first; names in byte order. Cache tokens are not recorded by EdgeGw (0); no MCP servers or endpoints.
/// </summary>
internal static class DailyActivityReport
{
    private sealed class Sums
    {
        public long Spend, Prompt, Completion, Requests, Successes;

        public void Add(in ActivityCell c)
        {
            Spend = Money.Add(Spend, c.SpendNanos);
            Prompt += c.PromptTokens;
            Completion += c.CompletionTokens;
            Requests += c.Requests;
            Successes += c.Successes;
        }
    }

    private sealed class Bucket
    {
        public readonly Sums Metrics = new();
        public readonly SortedDictionary<string, Sums> Keys = new(StringComparer.Ordinal);

        public void Add(in ActivityCell c)
        {
            Metrics.Add(c);
            Get(Keys, c.ApiKey).Add(c);
        }
    }

    private sealed class Day(string date)
    {
        public readonly string Date = date;
        public readonly Sums Metrics = new();
        public readonly SortedDictionary<string, Bucket> Models = new(StringComparer.Ordinal);
        public readonly SortedDictionary<string, Bucket> ModelGroups = new(StringComparer.Ordinal);
        public readonly SortedDictionary<string, Bucket> Providers = new(StringComparer.Ordinal);
        public readonly SortedDictionary<string, Bucket> Entities = new(StringComparer.Ordinal);
        public readonly SortedDictionary<string, Sums> ApiKeys = new(StringComparer.Ordinal);
    }

    private static T Get<T>(SortedDictionary<string, T> map, string name) where T : new()
    {
        if (!map.TryGetValue(name, out var value))
            map[name] = value = new T();
        return value;
    }

    public static void Write(Utf8JsonWriter json, List<ActivityCell> page, Accounts accounts, bool teams, AdminPaging paging, long totalCells)
    {
        var days = new List<Day>();
        var total = new Sums();
        foreach (var cell in page)
        {
            // Cells come newest day first: a new date starts a new day.
            if (days.Count == 0 || days[^1].Date != cell.Day)
                days.Add(new Day(cell.Day));
            var day = days[^1];
            day.Metrics.Add(cell);
            total.Add(cell);
            Get(day.Models, cell.Model).Add(cell);
            Get(day.ModelGroups, cell.ModelGroup.Length > 0 ? cell.ModelGroup : cell.Model).Add(cell);
            Get(day.Providers, cell.Provider is { Length: > 0 } p ? p : "unknown").Add(cell);
            Get(day.Entities, cell.Entity is { Length: > 0 } e ? e : "Unassigned").Add(cell);
            Get(day.ApiKeys, cell.ApiKey).Add(cell);
        }

        json.WriteStartObject();
        json.WriteStartArray("results");
        foreach (var day in days)
        {
            json.WriteStartObject();
            json.WriteString("date", day.Date);
            Metrics(json, "metrics", day.Metrics);
            json.WriteStartObject("breakdown");
            Buckets(json, "models", day.Models, accounts, _ => { });
            Buckets(json, "model_groups", day.ModelGroups, accounts, _ => { });
            json.WriteStartObject("mcp_servers");
            json.WriteEndObject();
            Buckets(json, "providers", day.Providers, accounts, _ => { });
            json.WriteStartObject("endpoints");
            json.WriteEndObject();
            json.WriteStartObject("api_keys");
            foreach (var (key, sums) in day.ApiKeys)
                KeyEntry(json, key, sums, accounts);
            json.WriteEndObject();
            Buckets(json, "entities", day.Entities, accounts, teams ? TeamMetadata(json, accounts) : _ => { });
            json.WriteEndObject();
            json.WriteEndObject();
        }
        json.WriteEndArray();

        json.WriteStartObject("metadata");
        json.WriteNumber("total_spend", Money.ToDollars(total.Spend));
        json.WriteNumber("total_prompt_tokens", total.Prompt);
        json.WriteNumber("total_completion_tokens", total.Completion);
        json.WriteNumber("total_tokens", total.Prompt + total.Completion);
        json.WriteNumber("total_api_requests", total.Requests);
        json.WriteNumber("total_successful_requests", total.Successes);
        json.WriteNumber("total_failed_requests", total.Requests - total.Successes);
        json.WriteNumber("total_cache_read_input_tokens", 0);
        json.WriteNumber("total_cache_creation_input_tokens", 0);
        json.WriteNumber("page", paging.Page);
        json.WriteNumber("total_pages", paging.TotalPages(totalCells));
        json.WriteBoolean("has_more", (long)paging.Page * paging.Size < totalCells);
        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static Action<string> TeamMetadata(Utf8JsonWriter json, Accounts accounts) => teamId =>
        json.WriteString("team_alias", accounts.Teams.TryGetValue(teamId, out var team) ? team.Settings.TeamAlias : null);

    private static void Buckets(Utf8JsonWriter json, string name, SortedDictionary<string, Bucket> buckets, Accounts accounts, Action<string> metadata)
    {
        json.WriteStartObject(name);
        foreach (var (key, bucket) in buckets)
        {
            json.WriteStartObject(key);
            Metrics(json, "metrics", bucket.Metrics);
            json.WriteStartObject("metadata");
            metadata(key);
            json.WriteEndObject();
            json.WriteStartObject("api_key_breakdown");
            foreach (var (apiKey, sums) in bucket.Keys)
                KeyEntry(json, apiKey, sums, accounts);
            json.WriteEndObject();
            json.WriteEndObject();
        }
        json.WriteEndObject();
    }

    /// <summary>A key's sums and LiteLLM's <c>KeyMetadata</c>; a deleted key's alias and team are null.</summary>
    private static void KeyEntry(Utf8JsonWriter json, string apiKey, Sums sums, Accounts accounts)
    {
        json.WriteStartObject(apiKey);
        Metrics(json, "metrics", sums);
        var key = TokenHash.TryParseHex(apiKey, out var token) && accounts.Keys.TryGetValue(token, out var account) ? account.Settings : null;
        json.WriteStartObject("metadata");
        json.WriteString("key_alias", key?.KeyAlias);
        json.WriteString("team_id", key?.TeamId);
        json.WriteString("user_id", key?.UserId);
        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static void Metrics(Utf8JsonWriter json, string name, Sums s)
    {
        json.WriteStartObject(name);
        json.WriteNumber("spend", Money.ToDollars(s.Spend));
        json.WriteNumber("prompt_tokens", s.Prompt);
        json.WriteNumber("completion_tokens", s.Completion);
        json.WriteNumber("cache_read_input_tokens", 0);
        json.WriteNumber("cache_creation_input_tokens", 0);
        json.WriteNumber("total_tokens", s.Prompt + s.Completion);
        json.WriteNumber("successful_requests", s.Successes);
        json.WriteNumber("failed_requests", s.Requests - s.Successes);
        json.WriteNumber("api_requests", s.Requests);
        json.WriteEndObject();
    }
}

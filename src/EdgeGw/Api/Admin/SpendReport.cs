using System.Text.Json;
using EdgeGw.Spend;
using EdgeGw.Storage;

namespace EdgeGw.Api.Admin;

/// <summary>
/// <c>/global/spend/report</c> in the shapes of LiteLLM's <c>get_global_spend_report</c>:
/// <code>
///   group_by=team (default) [{group_by_day, teams: [{team_name, total_spend, metadata: [{model, api_key, spend, total_tokens}]}]}]
///   group_by=customer       [{group_by_day, customers: [{customer, total_spend, metadata: [...]}]}]   (end users)
///   group_by=api_key, or api_key= / internal_user_id= given
///                           [{api_key, total_cost, total_input_tokens, total_output_tokens, model_details: [{model, total_cost, …}]}]
///   team_id= and customer_id= [{group_by_day, teams_customers: [{team_name, customer, total_spend, metadata}]}]
/// </code>
/// <c>team_name</c> is the team's alias, <c>Unassigned Team</c> without one (LiteLLM's COALESCE). Each
/// group also carries its id and token and request sums; <c>group_by=model</c> and <c>user</c> are EdgeGw's own.
/// </summary>
internal static partial class SpendEndpoints
{
    private const string UnassignedTeam = "Unassigned Team";

    public static Task ReportAsync(HttpContext context, GatewayState state) =>
        AdminHandler.RunAsync(context, state, mutates: false, async (input, data) =>
        {
            var groupBy = input.String("group_by") ?? "team";
            if (groupBy is not ("team" or "customer" or "api_key" or "key" or "model" or "user"))
                throw new AdminInputException("group_by", $"Invalid group_by: '{groupBy}' (use team, customer, api_key, model or user)");
            var filter = Filter(input);
            if (input.String("internal_user_id") is { } internalUser)
                filter = filter with { UserId = internalUser };
            await data.Writer.FlushAsync();
            Action<Utf8JsonWriter> write;
            if (groupBy is "api_key" or "key" || input.Has("api_key") || input.Has("internal_user_id"))
            {
                var cells = await data.SpendReports.BreakdownAsync(filter, groupColumn: null, byDay: false);
                write = json => WriteKeyTotals(json, cells);
            }
            else if (groupBy is "team" or "customer")
            {
                var both = filter.TeamId is not null && filter.EndUser is not null;
                var cells = await data.SpendReports.BreakdownAsync(filter, groupBy == "team" || both ? "team_id" : "end_user", byDay: true);
                write = both ? json => WriteDaily(json, cells, "teams_customers", (j, g) => WriteTeam(j, g, filter.EndUser))
                    : groupBy == "team" ? json => WriteDaily(json, cells, "teams", (j, g) => WriteTeam(j, g, customer: null))
                    : json => WriteDaily(json, cells, "customers", (j, g) => j.WriteString("customer", g.Key));
            }
            else
            {
                var (column, list, field) = groupBy == "model" ? ("model_group", "models", "model") : ("user", "users", "user_id");
                var totals = await data.SpendReports.TotalsAsync(filter, column, byDay: true);
                write = json => WriteDailyTotals(json, totals, list, field);
            }
            await AdminOutput.WriteAsync(context, write);
        });

    private static void WriteTeam(Utf8JsonWriter json, IGrouping<string?, SpendCell> team, string? customer)
    {
        json.WriteString("team_name", team.First().TeamAlias ?? UnassignedTeam);
        json.WriteString("team_id", team.Key);
        if (customer is not null)
            json.WriteString("customer", customer);
    }

    /// <summary>Days, then groups by spend (highest first), each with its per-model-and-key breakdown.</summary>
    private static void WriteDaily(Utf8JsonWriter json, List<SpendCell> cells, string list, Action<Utf8JsonWriter, IGrouping<string?, SpendCell>> writeName)
    {
        json.WriteStartArray();
        foreach (var day in cells.GroupBy(c => c.Day))
        {
            json.WriteStartObject();
            json.WriteString("group_by_day", day.Key);
            json.WriteNumber("total_spend", Money.ToDollars(day.Sum(c => c.SpendNanos)));
            json.WriteStartArray(list);
            foreach (var group in day.GroupBy(c => c.Group).OrderByDescending(g => g.Sum(c => c.SpendNanos)))
            {
                json.WriteStartObject();
                writeName(json, group);
                json.WriteNumber("total_spend", Money.ToDollars(group.Sum(c => c.SpendNanos)));
                json.WriteNumber("total_tokens", group.Sum(c => c.TotalTokens));
                json.WriteNumber("prompt_tokens", group.Sum(c => c.PromptTokens));
                json.WriteNumber("completion_tokens", group.Sum(c => c.CompletionTokens));
                json.WriteNumber("requests", group.Sum(c => c.Requests));
                json.WriteStartArray("metadata");
                foreach (var cell in group)
                {
                    json.WriteStartObject();
                    json.WriteString("model", cell.Model);
                    json.WriteString("api_key", cell.ApiKey);
                    json.WriteNumber("spend", Money.ToDollars(cell.SpendNanos));
                    json.WriteNumber("total_tokens", cell.TotalTokens);
                    json.WriteEndObject();
                }
                json.WriteEndArray();
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        json.WriteEndArray();
    }

    /// <summary>Keys by total cost, highest first, each with its models.</summary>
    private static void WriteKeyTotals(Utf8JsonWriter json, List<SpendCell> cells)
    {
        json.WriteStartArray();
        foreach (var key in cells.GroupBy(c => c.ApiKey).OrderByDescending(k => k.Sum(c => c.SpendNanos)))
        {
            json.WriteStartObject();
            json.WriteString("api_key", key.Key);
            WriteCost(json, key);
            json.WriteNumber("requests", key.Sum(c => c.Requests));
            json.WriteStartArray("model_details");
            foreach (var model in key.GroupBy(c => c.Model))
            {
                json.WriteStartObject();
                json.WriteString("model", model.Key);
                WriteCost(json, model);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        json.WriteEndArray();
    }

    private static void WriteCost(Utf8JsonWriter json, IEnumerable<SpendCell> cells)
    {
        json.WriteNumber("total_cost", Money.ToDollars(cells.Sum(c => c.SpendNanos)));
        json.WriteNumber("total_input_tokens", cells.Sum(c => c.PromptTokens));
        json.WriteNumber("total_output_tokens", cells.Sum(c => c.CompletionTokens));
    }

    private static void WriteDailyTotals(Utf8JsonWriter json, List<SpendTotal> totals, string list, string field)
    {
        json.WriteStartArray();
        foreach (var day in totals.GroupBy(t => t.Day))
        {
            json.WriteStartObject();
            json.WriteString("group_by_day", day.Key);
            json.WriteNumber("total_spend", Money.ToDollars(day.Sum(t => t.SpendNanos)));
            json.WriteStartArray(list);
            foreach (var total in day)
            {
                json.WriteStartObject();
                json.WriteString(field, total.Group);
                WriteSums(json, total);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        json.WriteEndArray();
    }
}

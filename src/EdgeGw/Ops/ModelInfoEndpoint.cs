using System.Globalization;
using System.Text.Json;
using EdgeGw.Config;
using EdgeGw.Json;

namespace EdgeGw.Ops;

/// <summary>
/// <c>GET /model/info</c> (and <c>/v1/model/info</c>) and <c>GET /v2/model/info</c>: LiteLLM's <c>{"data":[{model_name,
/// litellm_params, model_info}]}</c> for each config and database deployment the caller may use (v2 adds LiteLLM's
/// filters and pages). <c>litellm_params</c> goes through LiteLLM's masking: <c>api_key</c> and the other credentials
/// it drops are absent, other secret-named values masked; <c>extra_headers</c> is left out (its values are secrets).
/// </summary>
internal static class ModelInfoEndpoint
{
    public static Task HandleAsync(Microsoft.AspNetCore.Http.HttpContext context, Api.GatewayState state)
    {
        // LiteLLM's v1 filter: one deployment by id.
        var id = context.Request.Query["litellm_model_id"].ToString();
        var list = Visible(context, state).Where(d => id.Length == 0 || d.Id == id).ToList();
        return WriteAsync(context, list, page: null);
    }

    public static Task HandleV2Async(Microsoft.AspNetCore.Http.HttpContext context, Api.GatewayState state)
    {
        var query = context.Request.Query;
        if (!TryInt(query["page"].ToString(), 1, out var page) || page < 1)
            return Api.ErrorWriter.WriteOpenAiAsync(context, new Api.GatewayError(400, "page must be an integer of at least 1", "invalid_request_error", "400", "page"));
        if (!TryInt(query["size"].ToString(), 50, out var size) || size < 1)
            return Api.ErrorWriter.WriteOpenAiAsync(context, new Api.GatewayError(400, "size must be an integer of at least 1", "invalid_request_error", "400", "size"));
        var model = query["model"].ToString();
        var id = query["modelId"].ToString();
        var search = query["search"].ToString();
        IEnumerable<Deployment> list = Visible(context, state).Where(d =>
            (model.Length == 0 || d.ModelName == model)
            && (id.Length == 0 || d.Id == id)
            && (search.Length == 0 || d.ModelName.Contains(search, StringComparison.OrdinalIgnoreCase)));
        if (query["sortBy"].ToString() == "model_name")
        {
            list = query["sortOrder"].ToString() == "desc"
                ? list.OrderByDescending(d => d.ModelName, StringComparer.Ordinal)
                : list.OrderBy(d => d.ModelName, StringComparer.Ordinal);
        }
        var all = list.ToList();
        var start = (long)(page - 1) * size;
        var shown = start >= all.Count ? [] : all.GetRange((int)start, (int)Math.Min(size, all.Count - start));
        return WriteAsync(context, shown, (all.Count, page, size));
    }

    private static IEnumerable<Deployment> Visible(Microsoft.AspNetCore.Http.HttpContext context, Api.GatewayState state)
    {
        var caller = Auth.Caller.Of(context);
        return state.Config.Deployments.Where(d => Auth.ModelAccess.IsAllowed(caller, state.Data.Accounts, state.Models.AccessGroups, d.ModelName));
    }

    private static bool TryInt(string text, int absent, out int value)
    {
        value = absent;
        return text.Length == 0 || int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }

    private static async Task WriteAsync(Microsoft.AspNetCore.Http.HttpContext context, List<Deployment> deployments, (int Total, int Page, int Size)? page)
    {
        var response = context.Response;
        response.ContentType = "application/json";
        await using (var json = new Utf8JsonWriter(response.BodyWriter, JsonOptions.Writer))
        {
            json.WriteStartObject();
            json.WriteStartArray("data"u8);
            foreach (var d in deployments)
                Write(json, d);
            json.WriteEndArray();
            if (page is { } p)
            {
                json.WriteNumber("total_count"u8, p.Total);
                json.WriteNumber("current_page"u8, p.Page);
                json.WriteNumber("total_pages"u8, (p.Total + (long)p.Size - 1) / p.Size);
                json.WriteNumber("size"u8, p.Size);
            }
            json.WriteEndObject();
        }
        await response.BodyWriter.FlushAsync(context.RequestAborted);
    }

    private static void Write(Utf8JsonWriter json, Deployment d)
    {
        json.WriteStartObject();
        json.WriteString("model_name"u8, d.ModelName);
        json.WriteStartObject("litellm_params"u8);
        json.WriteString("model"u8, d.Provider == ModelReference.PerRequest ? d.ModelId : d.Provider + "/" + d.ModelId);
        if (d.ApiBase is not null)
            json.WriteString("api_base"u8, d.ApiBase);
        if (d.ApiVersion is not null)
            json.WriteString("api_version"u8, d.ApiVersion);
        if (d.Rpm is { } rpm)
            json.WriteNumber("rpm"u8, rpm);
        if (d.Tpm is { } tpm)
            json.WriteNumber("tpm"u8, tpm);
        if (d.Weight is { } weight)
            json.WriteNumber("weight"u8, weight);
        if (d.Order is { } order)
            json.WriteNumber("order"u8, order);
        if (d.Timeout is { } timeout)
            json.WriteNumber("timeout"u8, timeout.TotalSeconds);
        if (d.StreamTimeout is { } streamTimeout)
            json.WriteNumber("stream_timeout"u8, streamTimeout.TotalSeconds);
        if (d.MaxRetries is { } retries)
            json.WriteNumber("max_retries"u8, retries);
        foreach (var (name, value) in d.OtherParams)
            SensitiveDataMasker.Write(json, name, value);
        json.WriteEndObject();
        json.WriteStartObject("model_info"u8);
        json.WriteString("id"u8, d.Id);
        json.WriteBoolean("db_model"u8, d.FromDatabase);
        json.WriteString("litellm_provider"u8, d.Provider);
        if (d.MaxTokens is { } maxTokens)
            json.WriteNumber("max_tokens"u8, maxTokens);
        if (d.MaxInputTokens is { } maxInput)
            json.WriteNumber("max_input_tokens"u8, maxInput);
        if (d.InputCostPerToken is { } input)
            json.WriteNumber("input_cost_per_token"u8, input);
        if (d.OutputCostPerToken is { } output)
            json.WriteNumber("output_cost_per_token"u8, output);
        if (!d.AccessGroups.IsDefaultOrEmpty)
        {
            json.WriteStartArray("access_groups"u8);
            foreach (var group in d.AccessGroups)
                json.WriteStringValue(group);
            json.WriteEndArray();
        }
        json.WriteEndObject();
        json.WriteEndObject();
    }
}

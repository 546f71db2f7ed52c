using System.Text.Json;
using EdgeGw.Config;
using EdgeGw.Json;

namespace EdgeGw.Ops;

/// <summary>
/// <c>GET /model/info</c> (and <c>/v1/model/info</c>): LiteLLM's <c>{"data":[{model_name, litellm_params,
/// model_info}]}</c> for each deployment the caller may use. <c>litellm_params</c> never carries
/// <c>api_key</c> or <c>extra_headers</c> (they hold secrets).
/// </summary>
internal static class ModelInfoEndpoint
{
    public static async Task HandleAsync(Microsoft.AspNetCore.Http.HttpContext context, Api.GatewayState state)
    {
        var caller = Auth.Caller.Of(context);
        var response = context.Response;
        response.ContentType = "application/json";
        await using (var json = new Utf8JsonWriter(response.BodyWriter, JsonOptions.Writer))
        {
            json.WriteStartObject();
            json.WriteStartArray("data"u8);
            foreach (var d in state.Config.Deployments)
            {
                if (Auth.ModelAccess.IsAllowed(caller, state.Data.Accounts, state.Models.AccessGroups, d.ModelName))
                    Write(json, d);
            }
            json.WriteEndArray();
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
        json.WriteEndObject();
        json.WriteStartObject("model_info"u8);
        json.WriteString("id"u8, d.Id);
        json.WriteBoolean("db_model"u8, false);
        json.WriteString("litellm_provider"u8, d.Provider);
        if (d.MaxTokens is { } maxTokens)
            json.WriteNumber("max_tokens"u8, maxTokens);
        if (d.InputCostPerToken is { } input)
            json.WriteNumber("input_cost_per_token"u8, input);
        if (d.OutputCostPerToken is { } output)
            json.WriteNumber("output_cost_per_token"u8, output);
        json.WriteEndObject();
        json.WriteEndObject();
    }
}

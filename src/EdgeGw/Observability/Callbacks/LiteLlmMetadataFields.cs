using System.Text.Json;
using EdgeGw.Storage;

namespace EdgeGw.Observability.Callbacks;

/// <summary>The metadata LiteLLM's proxy adds to every logged call, shared by the StandardLoggingPayload and Langfuse writers.</summary>
internal static class LiteLlmMetadataFields
{
    /// <summary>Who made the call (<c>user_api_key_*</c>): the key only as its hash.</summary>
    public static void WriteUserApiKey(Utf8JsonWriter json, SpendRow row)
    {
        json.WriteString("user_api_key_hash"u8, row.ApiKey);
        json.WriteString("user_api_key_alias"u8, row.Key?.KeyAlias);
        json.WriteString("user_api_key_team_id"u8, row.TeamId);
        json.WriteString("user_api_key_user_id"u8, row.User);
        json.WriteString("user_api_key_team_alias"u8, row.Team?.TeamAlias);
        json.WriteString("user_api_key_end_user_id"u8, row.EndUser);
    }

    /// <summary>LiteLLM's <c>hidden_params</c>: the deployment that answered and the cost.</summary>
    public static void WriteHiddenParams(Utf8JsonWriter json, SpendRow row)
    {
        json.WriteStartObject("hidden_params"u8);
        json.WriteString("model_id"u8, row.ModelId);
        json.WriteString("api_base"u8, row.ApiBase);
        json.WriteNumber("response_cost"u8, (double)Spend.Money.ToDollars(row.SpendNanos));
        json.WriteEndObject();
    }
}

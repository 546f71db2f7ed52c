using System.Text.Json;
using EdgeGw.Storage;
using EdgeGw.Storage.Secrets;

namespace EdgeGw.Api.Admin;

/// <summary>
/// <c>POST /model/update</c> and <c>PATCH /model/{id}/update</c>: a database model changed in place, as LiteLLM's
/// <c>update_model</c> and <c>patch_model</c> do. Values sent replace (new secrets encrypted as /model/new does),
/// values not sent keep their stored ciphertext, and the id stays, so rate-limit buckets and health follow it.
/// </summary>
internal static class ModelUpdateEndpoints
{
    // LiteLLM's NULL_CLEARABLE_LITELLM_PARAMS: the litellm_params (and model_info prices) an explicit null removes.
    private static readonly string[] Clearable =
    [
        "input_cost_per_token", "output_cost_per_token", "input_cost_per_character", "output_cost_per_character",
        "cache_read_input_token_cost", "cache_creation_input_token_cost", "cache_control_injection_points", "litellm_credential_name",
    ];

    /// <summary>LiteLLM's older full update: <c>model_info.id</c> names the row; <c>litellm_params</c> and <c>model_name</c> change, model_info stays.</summary>
    public static Task UpdateAsync(HttpContext context, GatewayState state) =>
        AdminHandler.RunAsync(context, state, mutates: true, async (input, data) =>
        {
            var info = input.Object("model_info") ?? throw new AdminInputException("model_info", "model_info not provided");
            if (!info.TryGetProperty("id", out var idElement) || idElement.ValueKind != JsonValueKind.String)
                throw new AdminInputException("model_info.id", "model_info.id not provided");
            if (!Json.JsonText.TryGetString(idElement, out var id))
                throw new AdminInputException("model_info.id", $"model_info.id {Json.JsonText.InvalidText}");
            if (id is not { Length: > 0 })
                throw new AdminInputException("model_info.id", "model_info.id not provided");
            var row = await data.Models.GetAsync(id, context.RequestAborted);
            if (row is null || !state.Config.General.StoreModelInDb)
            {
                if (row is null && state.Config.Deployments.Any(d => d.Id == id && !d.FromDatabase))
                    throw new AdminInputException("model_info.id", "Can't edit model. Model in config. Store model in db via `/model/new`. to edit.");
                if (row is null)
                    throw new AdminInputException("model_info.id", $"model not found: {id}");
                throw StoreOff();
            }
            var parameters = input.Object("litellm_params") ?? throw new AdminInputException("litellm_params", "litellm_params not provided");
            var modelName = input.String("model_name") is { Length: > 0 } name ? name : row.ModelName;
            await SaveAsync(context, state, data, row, modelName, parameters, null);
        });

    /// <summary>LiteLLM's partial update: every field optional; model_info merges into the stored one.</summary>
    public static Task PatchAsync(HttpContext context, GatewayState state) =>
        AdminHandler.RunAsync(context, state, mutates: true, async (input, data) =>
        {
            var id = ModelUpdateRoute.IdOf(context.Request.Path.Value ?? "")!;
            if (!state.Config.General.StoreModelInDb)
                throw StoreOff();
            var row = await data.Models.GetAsync(id, context.RequestAborted);
            if (row is null)
            {
                if (state.Config.Deployments.Any(d => d.Id == id && !d.FromDatabase))
                    throw new AdminInputException("model_id", "Cannot edit config-based model. Store model in DB via /model/new first.", 400, "validation_error");
                throw AdminInputException.NotFound("model_id", $"Model {id} not found on proxy.");
            }
            var modelName = input.String("model_name") is { Length: > 0 } name ? name : row.ModelName;
            await SaveAsync(context, state, data, row, modelName, input.Object("litellm_params"), input.Object("model_info"));
        });

    // LiteLLM's refusal of either update without store_model_in_db (patch_model's words; update_model answers null).
    private static AdminInputException StoreOff() =>
        new("store_model_in_db", "Model updates only supported for DB-stored models", 400, "validation_error");

    private static async Task SaveAsync(HttpContext context, GatewayState state, GatewayData data, StoredModel row, string modelName,
        JsonElement? sentParams, JsonElement? sentInfo)
    {
        try
        {
            if (sentParams is { } p)
                ModelEndpoints.RefuseInvalidText(p, "litellm_params");
            if (sentInfo is { } i)
                ModelEndpoints.RefuseInvalidText(i, "model_info");
        }
        catch (InvalidOperationException)
        {
            throw new AdminInputException("litellm_params", $"litellm_params and model_info {Json.JsonText.InvalidText}");
        }
        var cipher = DatabaseModels.Cipher(state.Config)
            ?? throw new AdminInputException("litellm_params", "storing a model needs LITELLM_SALT_KEY or a master key to encrypt its secrets");
        using var stored = JsonDocument.Parse(row.LitellmParamsJson);
        using var storedInfo = row.ModelInfoJson is null ? null : JsonDocument.Parse(row.ModelInfoJson);
        string storedParams, plainParams;
        try
        {
            storedParams = MergeParams(stored.RootElement, sentParams, cipher, plain: false);
            plainParams = MergeParams(stored.RootElement, sentParams, cipher, plain: true);
        }
        catch (SecretDecryptException e)
        {
            throw new AdminInputException("litellm_params", $"{e.Message}: send every secret value again to replace it");
        }
        var info = sentInfo is null ? row.ModelInfoJson : MergeInfo(storedInfo?.RootElement, sentInfo.Value, row.ModelId);
        using (var plain = JsonDocument.Parse(plainParams))
        using (var infoDocument = info is null ? null : JsonDocument.Parse(info))
        {
            if (!plain.RootElement.TryGetProperty("model", out var model) || model.ValueKind != JsonValueKind.String || model.GetString() is not { Length: > 0 })
                throw new AdminInputException("litellm_params", "litellm_params.model is required");
            ModelEndpoints.CheckDeployment(state, modelName, plain.RootElement, infoDocument?.RootElement, row.ModelId);
        }
        var updated = await data.Models.UpdateAsync(row.ModelId, modelName, storedParams, info, data.Time.GetUtcNow(), ModelEndpoints.AdminName,
            context.RequestAborted) ?? throw AdminInputException.NotFound("model_id", $"Model {row.ModelId} not found on proxy.");
        if (state.Runtime is { } runtime)
            await runtime.ReloadDatabaseModelsAsync(context.RequestAborted);
        await AdminOutput.WriteAsync(context, json => ModelEndpoints.Row(json, updated));
    }

    /// <summary>
    /// The stored params with the sent ones laid over: as stored (<paramref name="plain"/> false: untouched values keep their
    /// ciphertext, sent strings encrypted) or decrypted, to check the result is a deployment the router can serve.
    /// </summary>
    private static string MergeParams(JsonElement stored, JsonElement? sent, SecretCipher cipher, bool plain) =>
        DatabaseModels.Write(json =>
        {
            json.WriteStartObject();
            foreach (var p in stored.EnumerateObject())
            {
                if (sent is { } s && s.TryGetProperty(p.Name, out var replacement)
                    && (replacement.ValueKind != JsonValueKind.Null || Array.IndexOf(Clearable, p.Name) >= 0))
                    continue; // replaced or cleared below
                if (plain && p.Value.ValueKind == JsonValueKind.String)
                    json.WriteString(p.Name, cipher.Decrypt(p.Value.GetString()!, p.Name));
                else
                {
                    json.WritePropertyName(p.Name);
                    p.Value.WriteTo(json);
                }
            }
            if (sent is { ValueKind: JsonValueKind.Object } values)
            {
                foreach (var p in values.EnumerateObject())
                {
                    if (p.Value.ValueKind == JsonValueKind.Null)
                        continue; // LiteLLM drops nulls (exclude_none): the stored value stays unless clearable
                    if (p.Value.ValueKind == JsonValueKind.String)
                        json.WriteString(p.Name, plain ? p.Value.GetString()! : cipher.Encrypt(p.Value.GetString()!));
                    else
                    {
                        json.WritePropertyName(p.Name);
                        p.Value.WriteTo(json);
                    }
                }
            }
            json.WriteEndObject();
        });

    /// <summary>The stored model_info with the sent fields laid over (LiteLLM's update_db_model); the row's id stays its id.</summary>
    private static string MergeInfo(JsonElement? stored, JsonElement sent, string id) =>
        DatabaseModels.Write(json =>
        {
            json.WriteStartObject();
            json.WriteString("id", id);
            if (stored is { ValueKind: JsonValueKind.Object } old)
            {
                foreach (var p in old.EnumerateObject())
                {
                    if (p.NameEquals("id") || (sent.TryGetProperty(p.Name, out var replacement)
                        && (replacement.ValueKind != JsonValueKind.Null || Array.IndexOf(Clearable, p.Name) >= 0)))
                        continue;
                    json.WritePropertyName(p.Name);
                    p.Value.WriteTo(json);
                }
            }
            foreach (var p in sent.EnumerateObject())
            {
                if (p.NameEquals("id") || p.Value.ValueKind == JsonValueKind.Null)
                    continue;
                json.WritePropertyName(p.Name);
                p.Value.WriteTo(json);
            }
            json.WriteEndObject();
        });
}

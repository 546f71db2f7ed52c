using System.Text.Json;
using EdgeGw.Storage;

namespace EdgeGw.Api.Admin;

/// <summary>
/// <c>/model/new</c> and <c>/model/delete</c>: models kept in the database beside the config's. The
/// answer is the stored row, as LiteLLM returns it (its <c>litellm_params</c> values encrypted).
/// </summary>
internal static class ModelEndpoints
{
    // LiteLLM stamps rows made with the master key with its proxy admin's name.
    internal const string AdminName = "default_user_id";

    /// <summary>LiteLLM's answer to /model/new and /model/delete without <c>store_model_in_db</c> (its status, type and words).</summary>
    internal static AdminInputException StoreOff() =>
        new("store_model_in_db", "Set `'STORE_MODEL_IN_DB='True'` in your env to enable this feature.", 500, "auth_error");

    public static Task NewAsync(HttpContext context, GatewayState state) =>
        AdminHandler.RunAsync(context, state, mutates: true, async (input, data) =>
        {
            if (!state.Config.General.StoreModelInDb)
                throw StoreOff();
            var modelName = input.RequiredString("model_name");
            var parameters = input.Object("litellm_params") ?? throw new AdminInputException("litellm_params", "litellm_params is required");
            try
            {
                RefuseInvalidText(parameters, "litellm_params");
                if (input.Object("model_info") is { } sent)
                    RefuseInvalidText(sent, "model_info");
            }
            catch (InvalidOperationException)
            {
                // a property name that is not valid UTF-8
                throw new AdminInputException("litellm_params", $"litellm_params and model_info {Json.JsonText.InvalidText}");
            }
            if (!parameters.TryGetProperty("model", out var model) || model.ValueKind != JsonValueKind.String || model.GetString() is not { Length: > 0 })
                throw new AdminInputException("litellm_params", "litellm_params.model is required");
            var info = input.Object("model_info");
            var id = info is { } i && i.TryGetProperty("id", out var given) && given.ValueKind == JsonValueKind.String && given.GetString() is { Length: > 0 } s
                ? s : Guid.NewGuid().ToString();
            var cipher = DatabaseModels.Cipher(state.Config)
                ?? throw new AdminInputException("litellm_params", "storing a model needs LITELLM_SALT_KEY or a master key to encrypt its secrets");
            CheckDeployment(state, modelName, parameters, info, id);

            var now = data.Time.GetUtcNow();
            var row = new StoredModel(id, modelName, DatabaseModels.EncryptParams(parameters, cipher), info?.GetRawText(), now, AdminName, now, AdminName);
            if (!await data.Models.InsertAsync(row, context.RequestAborted))
                throw new AdminInputException("model_info.id", $"a model with id '{id}' already exists");
            if (state.Runtime is { } runtime)
                await runtime.ReloadDatabaseModelsAsync(context.RequestAborted);
            await AdminOutput.WriteAsync(context, json => Row(json, row));
        });

    public static Task DeleteAsync(HttpContext context, GatewayState state) =>
        AdminHandler.RunAsync(context, state, mutates: true, async (input, data) =>
        {
            var id = input.RequiredString("id");
            if (!state.Config.General.StoreModelInDb && await data.Models.GetAsync(id, context.RequestAborted) is not null)
                throw StoreOff(); // as LiteLLM: an id it does not hold is refused first, below
            if (!state.Config.General.StoreModelInDb || !await data.Models.DeleteAsync(id, context.RequestAborted))
            {
                // LiteLLM answers an id it does not hold (including a config model's) with 400.
                throw new AdminInputException("id", state.Config.Deployments.Any(d => d.Id == id && !d.FromDatabase)
                    ? $"Model id = {id} is defined in the config file and cannot be deleted through the API"
                    : $"Model with id={id} not found in db");
            }
            if (state.Runtime is { } runtime)
                await runtime.ReloadDatabaseModelsAsync(context.RequestAborted);
            await AdminOutput.WriteAsync(context, json =>
            {
                json.WriteStartObject();
                json.WriteString("message", $"Model: {id} deleted successfully");
                json.WriteEndObject();
            });
        });

    /// <summary>Lone surrogates would not survive encryption or storage unchanged: refused, as everywhere else.</summary>
    internal static void RefuseInvalidText(JsonElement element, string path)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String when !Json.JsonText.TryGetString(element, out _):
                throw new AdminInputException(path, $"{path} {Json.JsonText.InvalidText}");
            case JsonValueKind.Object:
                foreach (var p in element.EnumerateObject())
                    RefuseInvalidText(p.Value, $"{path}.{p.Name}");
                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                    RefuseInvalidText(item, path);
                break;
        }
    }

    /// <summary>Refuses, before anything is stored, an entry the router could not serve (bad provider, missing api_base).</summary>
    internal static void CheckDeployment(GatewayState state, string modelName, JsonElement parameters, JsonElement? info, string id)
    {
        var entry = DatabaseModels.Write(json =>
        {
            json.WriteStartObject();
            json.WriteString("model_name", modelName);
            json.WritePropertyName("litellm_params");
            parameters.WriteTo(json);
            json.WriteStartObject("model_info");
            if (info is { ValueKind: JsonValueKind.Object } sent)
            {
                foreach (var p in sent.EnumerateObject())
                {
                    if (!p.NameEquals("id"))
                    {
                        json.WritePropertyName(p.Name);
                        p.Value.WriteTo(json);
                    }
                }
            }
            json.WriteString("id", id);
            json.WriteEndObject();
            json.WriteEndObject();
        });
        try
        {
            _ = Config.ConfigLoader.ReadStoredDeployment(entry, 0, state.Config.Environment,
                StoredCredentials.ByName(state.Config, state.Runtime?.StoredCredentialList ?? []));
        }
        catch (Config.ConfigException e)
        {
            throw new AdminInputException("litellm_params", $"Invalid model: {e.Message}");
        }
        catch (YamlDotNet.Core.YamlException)
        {
            throw new AdminInputException("litellm_params", "Invalid model: litellm_params could not be read");
        }
    }

    internal static void Row(Utf8JsonWriter json, StoredModel row)
    {
        json.WriteStartObject();
        json.WriteString("model_id", row.ModelId);
        json.WriteString("model_name", row.ModelName);
        json.WritePropertyName("litellm_params");
        json.WriteRawValue(row.LitellmParamsJson);
        json.WritePropertyName("model_info");
        if (row.ModelInfoJson is null)
            json.WriteNullValue();
        else
            json.WriteRawValue(row.ModelInfoJson);
        AdminOutput.Time(json, "created_at", row.CreatedAt);
        json.WriteString("created_by", row.CreatedBy);
        AdminOutput.Time(json, "updated_at", row.UpdatedAt);
        json.WriteString("updated_by", row.UpdatedBy);
        json.WriteEndObject();
    }
}

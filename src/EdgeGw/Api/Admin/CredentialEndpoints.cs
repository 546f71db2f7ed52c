using System.Text.Json;
using EdgeGw.Config;
using EdgeGw.Storage;

namespace EdgeGw.Api.Admin;

/// <summary>
/// LiteLLM's <c>/credentials</c>: named provider credentials kept in the database (each value encrypted as
/// LiteLLM encrypts it), borrowed by config and database models through <c>litellm_credential_name</c>. Lists
/// and look-ups show values masked as LiteLLM masks them; a change reaches the deployments that borrow it at once.
/// </summary>
internal static class CredentialEndpoints
{
    // LiteLLM stamps rows made with the master key with its proxy admin's name.
    private const string AdminName = "default_user_id";

    public static Task CreateAsync(HttpContext context, GatewayState state) =>
        AdminHandler.RunAsync(context, state, mutates: true, async (input, data) =>
        {
            var name = input.RequiredString("credential_name");
            var info = ObjectOrEmpty(input, "credential_info");
            string valuesJson;
            if (input.String("model_id") is { Length: > 0 } modelId)
            {
                // As LiteLLM: the credential is copied from a deployment the router serves (config or database).
                var deployment = state.Config.Deployments.FirstOrDefault(d => d.Id == modelId)
                    ?? throw AdminInputException.NotFound("model_id", "Model not found");
                valuesJson = DeploymentCredentials(deployment);
            }
            else
            {
                var values = input.Object("credential_values")
                    ?? throw new AdminInputException("credential_values", "Credential values are required. Unable to infer credential values from model ID.");
                CheckValues(values, "credential_values");
                valuesJson = values.GetRawText();
            }
            var cipher = Cipher(state);
            using var plain = JsonDocument.Parse(valuesJson);
            var now = data.Time.GetUtcNow();
            var row = new StoredCredential(Guid.NewGuid().ToString(), name, DatabaseModels.EncryptParams(plain.RootElement, cipher), info, now, AdminName, now, AdminName);
            if (!await data.Credentials.InsertAsync(row, context.RequestAborted))
                throw new AdminInputException("credential_name", $"a credential named '{name}' already exists");
            await ReloadAsync(state, context);
            await Success(context, "Credential created successfully");
        });

    public static Task ListAsync(HttpContext context, GatewayState state) =>
        AdminHandler.RunAsync(context, state, mutates: false, (_, _) =>
            AdminOutput.WriteAsync(context, json =>
            {
                json.WriteStartObject();
                json.WriteBoolean("success", true);
                json.WriteStartArray("credentials");
                foreach (var entry in StoredCredentials.All(state.Config, Stored(state)))
                    Item(json, entry.Name, entry.ValuesJson, entry.InfoJson);
                json.WriteEndArray();
                json.WriteEndObject();
            }));

    public static Task ByNameAsync(HttpContext context, GatewayState state) =>
        AdminHandler.RunAsync(context, state, mutates: false, (_, _) =>
        {
            var name = CredentialRoute.NameOf(context.Request.Path.Value!);
            var entry = StoredCredentials.All(state.Config, Stored(state)).FirstOrDefault(c => c.Name == name)
                ?? throw AdminInputException.NotFound("credential_name", "Credential not found. Got credential name: " + name);
            return AdminOutput.WriteAsync(context, json => Item(json, entry.Name, entry.ValuesJson, entry.InfoJson));
        });

    public static Task ByModelAsync(HttpContext context, GatewayState state) =>
        AdminHandler.RunAsync(context, state, mutates: false, (_, _) =>
        {
            var modelId = CredentialRoute.NameOf(context.Request.Path.Value!);
            var deployment = state.Config.Deployments.FirstOrDefault(d => d.Id == modelId)
                ?? throw AdminInputException.NotFound("model_id", "Model not found");
            return AdminOutput.WriteAsync(context, json => Item(json, $"{deployment.ModelName}-credential-{modelId}", DeploymentCredentials(deployment), "{}"));
        });

    public static Task UpdateAsync(HttpContext context, GatewayState state) =>
        AdminHandler.RunAsync(context, state, mutates: true, async (input, data) =>
        {
            var name = CredentialRoute.NameOf(context.Request.Path.Value!);
            var existing = await data.Credentials.GetAsync(name, context.RequestAborted)
                ?? throw AdminInputException.NotFound("credential_name", "Credential not found in DB.");
            var newName = input.String("credential_name") is { Length: > 0 } given ? given : name;
            var values = input.Object("credential_values");
            if (values is { } v)
                CheckValues(v, "credential_values");
            var info = input.Object("credential_info");
            if (info is { } i)
                CheckValues(i, "credential_info");
            // As LiteLLM's update_db_credential: the sent values (encrypted) and info are merged over the stored ones.
            var mergedValues = values is { } sent ? Merge(existing.ValuesJson, DatabaseModels.EncryptParams(sent, Cipher(state))) : existing.ValuesJson;
            var mergedInfo = info is { } sentInfo ? Merge(existing.InfoJson ?? "{}", sentInfo.GetRawText()) : existing.InfoJson;
            var updated = existing with
            {
                CredentialName = newName, ValuesJson = mergedValues, InfoJson = mergedInfo, UpdatedAt = data.Time.GetUtcNow(), UpdatedBy = AdminName,
            };
            if (!await data.Credentials.UpdateAsync(name, updated, context.RequestAborted))
                throw new AdminInputException("credential_name", $"a credential named '{newName}' already exists");
            await ReloadAsync(state, context);
            await Success(context, "Credential updated successfully");
        });

    public static Task DeleteAsync(HttpContext context, GatewayState state) =>
        AdminHandler.RunAsync(context, state, mutates: true, async (_, data) =>
        {
            var name = CredentialRoute.NameOf(context.Request.Path.Value!);
            if (!await data.Credentials.DeleteAsync(name, context.RequestAborted))
                throw AdminInputException.NotFound("credential_name", "Credential not found in DB.");
            await ReloadAsync(state, context);
            await Success(context, "Credential deleted successfully");
        });

    private static System.Collections.Immutable.ImmutableArray<CredentialEntry> Stored(GatewayState state) => state.Runtime?.StoredCredentialList ?? [];

    private static Storage.Secrets.SecretCipher Cipher(GatewayState state) => DatabaseModels.Cipher(state.Config)
        ?? throw new AdminInputException("credential_values", "storing a credential needs LITELLM_SALT_KEY or a master key to encrypt its values");

    private static Task ReloadAsync(GatewayState state, HttpContext context) =>
        state.Runtime is { } runtime ? runtime.ReloadDatabaseModelsAsync(context.RequestAborted) : Task.CompletedTask;

    private static string? ObjectOrEmpty(AdminInput input, string name)
    {
        if (input.Object(name) is not { } value)
            return "{}";
        CheckValues(value, name);
        return value.GetRawText();
    }

    private static void CheckValues(JsonElement values, string path)
    {
        try
        {
            ModelEndpoints.RefuseInvalidText(values, path);
        }
        catch (InvalidOperationException)
        {
            // a property name that is not valid UTF-8
            throw new AdminInputException(path, $"{path} {Json.JsonText.InvalidText}");
        }
    }

    /// <summary>What LiteLLM's get_deployment_credentials takes from a deployment: its key, base, version and cloud credentials.</summary>
    private static string DeploymentCredentials(Deployment deployment) => DatabaseModels.Write(json =>
    {
        json.WriteStartObject();
        if (deployment.ApiKey is { } key)
            json.WriteString("api_key", key);
        if (deployment.ApiBase is { } apiBase)
            json.WriteString("api_base", apiBase);
        if (deployment.ApiVersion is { } version)
            json.WriteString("api_version", version);
        foreach (var (name, value) in deployment.OtherParams.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (name.StartsWith("aws_", StringComparison.Ordinal) || name.StartsWith("vertex_", StringComparison.Ordinal)
                || name is "region_name" or "watsonx_region_name")
                json.WriteString(name, value);
        }
        json.WriteEndObject();
    });

    /// <summary>The top-level keys of <paramref name="patchJson"/> over those of <paramref name="baseJson"/>.</summary>
    private static string Merge(string baseJson, string patchJson)
    {
        using var stored = JsonDocument.Parse(baseJson);
        using var patch = JsonDocument.Parse(patchJson);
        return DatabaseModels.Write(json =>
        {
            json.WriteStartObject();
            if (stored.RootElement.ValueKind == JsonValueKind.Object)
            {
                foreach (var p in stored.RootElement.EnumerateObject())
                {
                    if (!patch.RootElement.TryGetProperty(p.Name, out _))
                        p.WriteTo(json);
                }
            }
            foreach (var p in patch.RootElement.EnumerateObject())
                p.WriteTo(json);
            json.WriteEndObject();
        });
    }

    private static void Item(Utf8JsonWriter json, string name, string valuesJson, string? infoJson)
    {
        using var values = JsonDocument.Parse(valuesJson);
        json.WriteStartObject();
        json.WriteString("credential_name", name);
        json.WritePropertyName("credential_values");
        CredentialMask.Write(json, values.RootElement);
        json.WritePropertyName("credential_info");
        json.WriteRawValue(infoJson ?? "{}");
        json.WriteEndObject();
    }

    private static Task Success(HttpContext context, string message) => AdminOutput.WriteAsync(context, json =>
    {
        json.WriteStartObject();
        json.WriteBoolean("success", true);
        json.WriteString("message", message);
        json.WriteEndObject();
    });
}

using System.Buffers;
using System.Collections.Immutable;
using System.Text.Json;
using EdgeGw.Config;
using EdgeGw.Storage;
using EdgeGw.Storage.Secrets;
using Microsoft.Extensions.Logging;

namespace EdgeGw.Api;

/// <summary>
/// Models stored through <c>/model/new</c>, turned into deployments that join the config's. As LiteLLM,
/// every string value of <c>litellm_params</c> is stored encrypted; a row whose values do not decrypt
/// (salt key changed) or do not make a valid deployment is skipped with one error naming it, never sent upstream.
/// </summary>
internal static partial class DatabaseModels
{
    /// <summary>LiteLLM's key: LITELLM_SALT_KEY from the config's environment, else the master key.</summary>
    public static SecretCipher? Cipher(GatewayConfig config) =>
        SecretCipher.Create(config.Environment("LITELLM_SALT_KEY"), config.General.MasterKey, config.General.EncryptionAlgorithm);

    /// <param name="credentials">What <c>litellm_credential_name</c> resolves against (config and stored); null: the config's alone.</param>
    public static async Task<ImmutableArray<Deployment>> LoadAsync(GatewayConfig config, IModelStore store, ILogger log, CancellationToken cancel = default,
        System.Collections.Frozen.FrozenDictionary<string, YamlDotNet.RepresentationModel.YamlMappingNode>? credentials = null)
    {
        if (!config.General.StoreModelInDb)
            return []; // as LiteLLM: without store_model_in_db the table is not read
        var rows = await store.ListAsync(cancel);
        if (rows.Count == 0)
            return [];
        var cipher = Cipher(config);
        var result = ImmutableArray.CreateBuilder<Deployment>(rows.Count);
        foreach (var row in rows)
        {
            if (row.Blocked)
                continue; // blocked by an admin in LiteLLM: kept in the table, not served
            try
            {
                var entry = Entry(row, cipher);
                result.Add(ConfigLoader.ReadStoredDeployment(entry, config.Deployments.Length + result.Count, config.Environment, credentials ?? config.Credentials) with { FromDatabase = true });
            }
            catch (SecretDecryptException e)
            {
                LogSkipped(log, row.ModelName, row.ModelId, e.Message);
            }
            catch (ConfigException e)
            {
                LogSkipped(log, row.ModelName, row.ModelId, e.Message);
            }
            catch (Exception e) when (e is JsonException or InvalidOperationException or YamlDotNet.Core.YamlException)
            {
                LogSkipped(log, row.ModelName, row.ModelId, "its stored JSON is malformed");
            }
        }
        return result.ToImmutable();
    }

    /// <summary><c>litellm_params</c> with every string value encrypted, as LiteLLM's <c>add_new_model</c> stores it.</summary>
    public static string EncryptParams(JsonElement litellmParams, SecretCipher cipher) =>
        Write(json =>
        {
            json.WriteStartObject();
            foreach (var p in litellmParams.EnumerateObject())
            {
                if (p.Value.ValueKind == JsonValueKind.Null)
                    continue; // LiteLLM stores litellm_params with exclude_none
                if (p.Value.ValueKind == JsonValueKind.String)
                    json.WriteString(p.Name, cipher.Encrypt(p.Value.GetString()!));
                else
                {
                    json.WritePropertyName(p.Name);
                    p.Value.WriteTo(json);
                }
            }
            json.WriteEndObject();
        });

    /// <summary>The row as a decrypted <c>model_list</c> entry whose <c>model_info.id</c> is the row's id.</summary>
    private static string Entry(StoredModel row, SecretCipher? cipher)
    {
        using var parameters = JsonDocument.Parse(row.LitellmParamsJson);
        using var info = row.ModelInfoJson is null ? null : JsonDocument.Parse(row.ModelInfoJson);
        return Write(json =>
        {
            json.WriteStartObject();
            json.WriteString("model_name", row.ModelName);
            json.WritePropertyName("litellm_params");
            WriteDecrypted(json, parameters.RootElement, cipher);
            json.WriteStartObject("model_info");
            if (info is { RootElement.ValueKind: JsonValueKind.Object })
            {
                foreach (var p in info.RootElement.EnumerateObject())
                {
                    if (p.NameEquals("id"))
                        continue;
                    json.WritePropertyName(p.Name);
                    p.Value.WriteTo(json);
                }
            }
            json.WriteString("id", row.ModelId);
            json.WriteEndObject();
            json.WriteEndObject();
        });
    }

    /// <summary>The object with every string value decrypted (<see cref="SecretDecryptException"/> naming the first that does not).</summary>
    public static void WriteDecrypted(Utf8JsonWriter json, JsonElement encrypted, SecretCipher? cipher)
    {
        json.WriteStartObject();
        foreach (var p in encrypted.EnumerateObject())
        {
            if (p.Value.ValueKind == JsonValueKind.String)
            {
                if (cipher is null)
                    throw new SecretDecryptException(p.Name);
                json.WriteString(p.Name, cipher.Decrypt(p.Value.GetString()!, p.Name));
            }
            else
            {
                json.WritePropertyName(p.Name);
                p.Value.WriteTo(json);
            }
        }
        json.WriteEndObject();
    }

    /// <summary>JSON text from <paramref name="write"/>.</summary>
    internal static string Write(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var json = new Utf8JsonWriter(buffer))
            write(json);
        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "models: database model '{ModelName}' (id {ModelId}) skipped: {Reason}")]
    private static partial void LogSkipped(ILogger logger, string modelName, string modelId, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "models: database models not loaded: {Reason}")]
    public static partial void LogNotLoaded(ILogger logger, string reason);
}

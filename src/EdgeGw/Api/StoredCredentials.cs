using System.Collections.Frozen;
using System.Collections.Immutable;
using System.Text.Json;
using EdgeGw.Config;
using EdgeGw.Storage;
using EdgeGw.Storage.Secrets;
using Microsoft.Extensions.Logging;
using YamlDotNet.RepresentationModel;

namespace EdgeGw.Api;

/// <summary>A credential deployments can borrow by name: from the config's <c>credential_list</c> or stored through <c>/credentials</c>, values decrypted.</summary>
internal sealed record CredentialEntry(string Name, YamlMappingNode Values, string ValuesJson, string? InfoJson, bool Stored);

/// <summary>
/// Stored credentials (<c>/credentials</c>) beside the config's <c>credential_list</c>. As LiteLLM, each value is stored
/// encrypted and decrypted when loaded, and a stored credential replaces a listed one of the same name (LiteLLM upserts
/// the database's into <c>litellm.credential_list</c>). A row that does not decrypt is skipped with one error naming it.
/// </summary>
internal static partial class StoredCredentials
{
    public static async Task<ImmutableArray<CredentialEntry>> LoadAsync(GatewayConfig config, ICredentialStore store, ILogger log, CancellationToken cancel = default)
    {
        var rows = await store.ListAsync(cancel);
        if (rows.Count == 0)
            return [];
        var cipher = DatabaseModels.Cipher(config);
        var result = ImmutableArray.CreateBuilder<CredentialEntry>(rows.Count);
        foreach (var row in rows)
        {
            try
            {
                using var encrypted = JsonDocument.Parse(row.ValuesJson);
                if (encrypted.RootElement.ValueKind != JsonValueKind.Object)
                    throw new JsonException();
                var values = DatabaseModels.Write(json => DatabaseModels.WriteDecrypted(json, encrypted.RootElement, cipher));
                result.Add(new CredentialEntry(row.CredentialName, Yaml(values), values, row.InfoJson, Stored: true));
            }
            catch (SecretDecryptException e)
            {
                LogSkipped(log, row.CredentialName, e.Message);
            }
            catch (Exception e) when (e is JsonException or YamlDotNet.Core.YamlException or InvalidCastException)
            {
                LogSkipped(log, row.CredentialName, "its stored JSON is malformed");
            }
        }
        return result.ToImmutable();
    }

    /// <summary>What <c>litellm_credential_name</c> resolves against: the config's, then the stored ones over them.</summary>
    public static FrozenDictionary<string, YamlMappingNode> ByName(GatewayConfig config, ImmutableArray<CredentialEntry> stored)
    {
        if (stored.IsEmpty)
            return config.Credentials;
        var merged = new Dictionary<string, YamlMappingNode>(config.Credentials, StringComparer.Ordinal);
        foreach (var entry in stored)
            merged[entry.Name] = entry.Values;
        return merged.ToFrozenDictionary(StringComparer.Ordinal);
    }

    /// <summary>Every credential as <c>GET /credentials</c> lists it: the config's in file order (those a stored one replaces left out), then the stored.</summary>
    public static IEnumerable<CredentialEntry> All(GatewayConfig config, ImmutableArray<CredentialEntry> stored)
    {
        var values = new YamlValues(config.Environment);
        foreach (var (name, mapping) in config.Credentials)
        {
            if (!stored.Any(s => s.Name == name))
                yield return new CredentialEntry(name, mapping, YamlJson.Write(values, mapping, $"credential_list.{name}"), null, Stored: false);
        }
        foreach (var entry in stored)
            yield return entry;
    }

    /// <summary>
    /// The config deployments whose credential the file does not list, read with <paramref name="credentials"/>;
    /// each that still names an unknown credential is left out and its error added to <paramref name="errors"/>.
    /// </summary>
    public static ImmutableArray<Deployment> ReadBorrowing(GatewayConfig config, FrozenDictionary<string, YamlMappingNode> credentials, List<string> errors)
    {
        if (config.BorrowingDeployments.IsEmpty)
            return [];
        var result = ImmutableArray.CreateBuilder<Deployment>(config.BorrowingDeployments.Length);
        foreach (var entry in config.BorrowingDeployments)
        {
            try
            {
                result.Add(ConfigLoader.ReadBorrowingDeployment(entry, config.Environment, credentials));
            }
            catch (ConfigException e)
            {
                errors.Add(e.Message);
            }
        }
        return result.ToImmutable();
    }

    /// <summary>JSON is YAML: a stored credential's values as the mapping a <c>credential_list</c> entry would be (strings stay strings).</summary>
    private static YamlMappingNode Yaml(string valuesJson)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(valuesJson));
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "credentials: stored credential '{CredentialName}' skipped: {Reason}")]
    private static partial void LogSkipped(ILogger logger, string credentialName, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "models: {Problem}; that deployment is not served until the credential exists")]
    public static partial void LogUnresolved(ILogger logger, string problem);
}

using System.Text.Json;

namespace EdgeGw.Observability.Callbacks.Langfuse;

/// <summary>
/// LiteLLM's key- and team-based logging: a key's (else its team's) <c>metadata.logging</c> entry
/// <c>{callback_name: langfuse, callback_type, callback_vars: {langfuse_public_key, langfuse_secret_key, langfuse_host}}</c>
/// sends that key's events to its own Langfuse project instead of the proxy's. Values may be
/// <c>os.environ/NAME</c>. Read on the worker, remembered per metadata text.
/// </summary>
internal sealed class LangfuseKeyProjects(Uri defaultHost, Func<string, string?> environment)
{
    private const int Remembered = 1024;
    private const string EnvPrefix = "os.environ/";
    private readonly Dictionary<string, Entry?> _byMetadata = new(StringComparer.Ordinal);

    private sealed record Entry(LangfuseProject Project, bool OnSuccess, bool OnFailure);

    /// <summary>The project for this event; null: the proxy's own.</summary>
    public LangfuseProject? For(in CallbackEvent item)
    {
        var entry = Find(item.Row.Key?.MetadataJson) ?? Find(item.Row.Team?.MetadataJson);
        return entry is not null && (item.Succeeded ? entry.OnSuccess : entry.OnFailure) ? entry.Project : null;
    }

    private Entry? Find(string? metadata)
    {
        // Cheap filter: most keys carry no logging settings at all.
        if (metadata is null || !metadata.Contains("\"logging\"", StringComparison.Ordinal))
            return null;
        if (_byMetadata.TryGetValue(metadata, out var known))
            return known;
        if (_byMetadata.Count >= Remembered)
            _byMetadata.Clear();
        return _byMetadata[metadata] = Read(metadata);
    }

    private Entry? Read(string metadata)
    {
        try
        {
            using var document = JsonDocument.Parse(metadata);
            if (!document.RootElement.TryGetProperty("logging", out var logging) || logging.ValueKind != JsonValueKind.Array)
                return null;
            foreach (var entry in logging.EnumerateArray())
            {
                if (entry.ValueKind != JsonValueKind.Object || Text(entry, "callback_name") != LangfuseName)
                    continue;
                var vars = entry.TryGetProperty("callback_vars", out var v) && v.ValueKind == JsonValueKind.Object ? v : default;
                var publicKey = Resolve(Text(vars, "langfuse_public_key"));
                var secretKey = Resolve(Text(vars, "langfuse_secret_key"));
                if (publicKey is null || secretKey is null)
                    return null;
                var host = Resolve(Text(vars, "langfuse_host")) is { } h
                    && Uri.TryCreate(h.Contains("://", StringComparison.Ordinal) ? h : "http://" + h, UriKind.Absolute, out var uri) ? uri : defaultHost;
                var type = Text(entry, "callback_type") ?? "success_and_failure";
                return new Entry(new LangfuseProject(host, publicKey, secretKey),
                    type is "success" or "success_and_failure", type is "failure" or "success_and_failure");
            }
        }
        catch (JsonException)
        {
            // Metadata the admin API stored is JSON; anything else has no logging settings.
        }
        return null;
    }

    private const string LangfuseName = "langfuse";

    private static string? Text(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    private string? Resolve(string? value) =>
        value is not null && value.StartsWith(EnvPrefix, StringComparison.Ordinal) ? environment(value[EnvPrefix.Length..]) : value is { Length: > 0 } ? value : null;
}

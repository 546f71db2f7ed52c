using System.Globalization;

namespace EdgeGw.Config;

/// <summary>
/// The <c>langfuse</c> callback's settings from the environment, as LiteLLM's LangFuseLogger reads
/// them: <c>LANGFUSE_HOST</c> (default https://cloud.langfuse.com; <c>LANGFUSE_BASE_URL</c>, the newer
/// SDKs' name, when it is unset; no scheme means http://). Without both keys LiteLLM's Langfuse client
/// disables itself with a warning and the proxy still starts: so does EdgeGw.
/// </summary>
internal static class LangfuseSettingsReader
{
    public const string Name = "langfuse";
    private const string DefaultHost = "https://cloud.langfuse.com";

    public static LangfuseCallback? Read(YamlValues values, bool onSuccess, bool onFailure)
    {
        var publicKey = values.Environment("LANGFUSE_PUBLIC_KEY");
        var secretKey = values.Environment("LANGFUSE_SECRET_KEY");
        if (publicKey is null || secretKey is null)
        {
            var missing = string.Join(" and ", ((string?[])[publicKey is null ? "LANGFUSE_PUBLIC_KEY" : null, secretKey is null ? "LANGFUSE_SECRET_KEY" : null]).OfType<string>());
            values.Warn($"the langfuse callback is listed but {missing} is not set: nothing is sent to Langfuse");
            return null;
        }
        var host = values.Environment("LANGFUSE_HOST") ?? values.Environment("LANGFUSE_BASE_URL") ?? DefaultHost;
        if (!host.StartsWith("http://", StringComparison.Ordinal) && !host.StartsWith("https://", StringComparison.Ordinal))
            host = "http://" + host;
        if (!Uri.TryCreate(host, UriKind.Absolute, out var uri))
            throw new ConfigException("LANGFUSE_HOST", "expected an http:// or https:// URL");
        return new LangfuseCallback(uri, publicKey, secretKey, onSuccess, onFailure)
        {
            BatchSize = Number(values, "LANGFUSE_FLUSH_AT") is { } at ? checked((int)at) : null,
            FlushInterval = Number(values, "LANGFUSE_FLUSH_INTERVAL") is { } s ? TimeSpan.FromSeconds(s) : TimeSpan.FromSeconds(1),
            Release = values.Environment("LANGFUSE_RELEASE"),
        };
    }

    private static double? Number(YamlValues values, string name)
    {
        if (values.Environment(name) is not { } text)
            return null;
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && n > 0 && n <= int.MaxValue
            ? n
            : throw new ConfigException(name, "expected a positive number");
    }
}

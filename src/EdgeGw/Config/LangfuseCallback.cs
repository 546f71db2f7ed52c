namespace EdgeGw.Config;

/// <summary>LiteLLM's <c>langfuse</c> callback: the project's keys and host (<c>LANGFUSE_PUBLIC_KEY</c>/<c>_SECRET_KEY</c>/<c>_HOST</c>).</summary>
internal sealed record LangfuseCallback(Uri Host, string PublicKey, string SecretKey, bool OnSuccess, bool OnFailure)
{
    /// <summary><c>LANGFUSE_FLUSH_AT</c>: requests per POST at most (two ingestion events each).</summary>
    public int? BatchSize { get; init; }
    /// <summary><c>LANGFUSE_FLUSH_INTERVAL</c> in seconds; LiteLLM starts its Langfuse client with 1.</summary>
    public TimeSpan FlushInterval { get; init; } = TimeSpan.FromSeconds(1);
    /// <summary><c>LANGFUSE_RELEASE</c>: the traces' release unless a request names its own (<c>trace_release</c>).</summary>
    public string? Release { get; init; }

    /// <summary>The batch endpoint of the Langfuse SDKs.</summary>
    public Uri IngestionUrl => IngestionUrlOf(Host);

    public static Uri IngestionUrlOf(Uri host) => new(host.ToString().TrimEnd('/') + "/api/public/ingestion");

    // The generated ToString would print the secret key into any log that formats the settings.
    public override string ToString() => $"LangfuseCallback {{ Host = {Host}, PublicKey = {PublicKey} }}";
}

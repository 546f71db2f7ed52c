using System.Net.Http.Headers;
using System.Text;

namespace EdgeGw.Observability.Callbacks.Langfuse;

/// <summary>One Langfuse project the callback sends to: its ingestion URL and the Basic credentials for it.</summary>
internal sealed class LangfuseProject(Uri host, string publicKey, string secretKey)
{
    public Uri Endpoint { get; } = Config.LangfuseCallback.IngestionUrlOf(host);
    public string PublicKey { get; } = publicKey;
    public AuthenticationHeaderValue Authorization { get; } =
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{publicKey}:{secretKey}")));

    // Never the credentials: a project may end up in a log line.
    public override string ToString() => Endpoint.ToString();
}

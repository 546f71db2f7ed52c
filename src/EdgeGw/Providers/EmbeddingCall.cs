using EdgeGw.Api;
using EdgeGw.Routing;

namespace EdgeGw.Providers;

/// <summary>One client embeddings request on its way to a deployment (always OpenAI's format).</summary>
internal sealed class EmbeddingCall(HttpContext http, ReadOnlyMemory<byte> body, EmbeddingRequest request, ModelGroup group)
{
    public HttpContext Http { get; } = http;
    public ReadOnlyMemory<byte> Body { get; } = body;
    public EmbeddingRequest Request { get; } = request;
    public ModelGroup Group { get; } = group;
    /// <summary>The request's bill; adapters report usage before writing the answer (see <see cref="Spend.RequestAccounting"/>).</summary>
    public Spend.RequestAccounting? Accounting { get; init; }
}

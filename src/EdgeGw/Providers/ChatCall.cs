using EdgeGw.Api;
using EdgeGw.Routing;

namespace EdgeGw.Providers;

/// <summary>One client chat request on its way to a deployment.</summary>
internal sealed class ChatCall(HttpContext http, ReadOnlyMemory<byte> body, ChatRequest request, ModelGroup group)
{
    public HttpContext Http { get; } = http;
    /// <summary>The client's JSON body, unchanged.</summary>
    public ReadOnlyMemory<byte> Body { get; } = body;
    public ChatRequest Request { get; } = request;
    /// <summary>The group the client named; its <see cref="ModelGroup.NameJson"/> is the <c>model</c> the client sees.</summary>
    public ModelGroup Group { get; } = group;
    /// <summary>
    /// The request's bill. Adapters that know the usage of a non-streamed answer before writing it
    /// may call <c>Accounting?.ReportUsage(usage)</c> first, so the response carries its cost header.
    /// </summary>
    public Spend.RequestAccounting? Accounting { get; init; }
}

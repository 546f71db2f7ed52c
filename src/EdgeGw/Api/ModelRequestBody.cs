using EdgeGw.Buffers;
using EdgeGw.Routing;

namespace EdgeGw.Api;

/// <summary>
/// A model request's body as read (<c>max_request_size_mb</c> enforced), with LiteLLM's own request
/// keys (<see cref="RequestRoutingOptions"/>) taken out of the bytes that go upstream, and LiteLLM's
/// request headers (<c>x-litellm-tags</c>, <c>x-litellm-timeout</c>, the customer-id headers) read.
/// Shared by the chat, embeddings and messages endpoints; disposing returns both pooled buffers.
/// </summary>
internal readonly struct ModelRequestBody : IDisposable
{
    private readonly PooledBufferWriter? _read;
    private readonly PooledBufferWriter? _stripped;

    private ModelRequestBody(PooledBufferWriter read, PooledBufferWriter? stripped, RequestRoutingOptions options)
    {
        _read = read;
        _stripped = stripped;
        Options = options;
    }

    /// <summary>False when the body was refused; the error has already been written.</summary>
    public bool IsRead => _read is not null;

    /// <summary>The body to parse and forward: the client's bytes without the routing keys.</summary>
    public PooledBufferWriter Bytes => _stripped ?? _read!;

    public RequestRoutingOptions Options { get; }

    /// <summary>Reads the body, or answers the refusal with <paramref name="writeError"/> (the endpoint's envelope).</summary>
    /// <param name="anthropicMetadata">The body is an Anthropic Messages request, whose <c>metadata</c> is Anthropic's.</param>
    public static async ValueTask<ModelRequestBody> ReadAsync(HttpContext context, GatewayState state, Func<HttpContext, GatewayError, Task> writeError,
        bool anthropicMetadata = false)
    {
        var (body, error) = await RequestBodyReader.ReadAsync(context, state.Config.General.MaxRequestSizeBytes, pooled: true);
        if (error is not null)
        {
            await writeError(context, error);
            return default;
        }
        PooledBufferWriter? stripped;
        RequestRoutingOptions options;
        try
        {
            stripped = RequestRoutingOptions.Extract(body!.WrittenSpan, anthropicMetadata, out options);
        }
        catch (InvalidOperationException)
        {
            // Utf8JsonReader refuses to decode a routing field (user, timeout, fallbacks…) holding invalid UTF-8 or a lone surrogate.
            var invalid = Json.JsonText.InvalidTextError(body!.WrittenSpan) ?? GatewayError.BadRequest("The request body " + Json.JsonText.InvalidText);
            body!.Dispose();
            await writeError(context, invalid);
            return default;
        }
        return new ModelRequestBody(body, stripped, LiteLlmHeaders.Apply(context.Request.Headers, options));
    }

    public void Dispose()
    {
        _stripped?.Dispose();
        _read?.Dispose();
    }
}

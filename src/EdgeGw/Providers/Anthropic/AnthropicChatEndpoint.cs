using System.Net.Http.Headers;
using EdgeGw.Api;
using EdgeGw.Buffers;
using EdgeGw.Providers.OpenAi;
using EdgeGw.Streaming;
using EdgeGw.Upstream;

namespace EdgeGw.Providers.Anthropic;

/// <summary>
/// <c>anthropic/</c> deployments for OpenAI-format clients:
/// <code>
///   client body ─AnthropicRequestTranslator─▶ POST {api_base}/v1/messages
///     2xx JSON  ─AnthropicResponseTranslator─▶ chat.completion
///     2xx SSE   ─SseRelay + AnthropicStreamDecoder → OpenAiChunkEncoder─▶ chat.completion.chunk
///     non-2xx   ─AnthropicErrorMapper─▶ OpenAI error envelope (529 → 503)
/// </code>
/// </summary>
internal sealed partial class AnthropicChatEndpoint : ChatEndpoint
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");

    private readonly ProviderContext _context;
    private readonly Uri _messagesUri;
    private readonly HttpMessageInvoker _client;
    private ILogger? _logger;

    public AnthropicChatEndpoint(ProviderContext context) : base(context.Deployment)
    {
        _context = context;
        _messagesUri = AnthropicWire.MessagesUri(context.Deployment.ApiBase);
        _client = context.Clients.For(_messagesUri);
    }

    public Uri MessagesUri => _messagesUri;

    public override async ValueTask<ProviderResult> ChatAsync(ChatCall call, CancellationToken cancellationToken)
    {
        var request = call.Request;
        using var upstreamBody = new PooledBufferWriter(Math.Max(4096, call.Body.Length + 512));
        var options = new AnthropicRequestOptions(Deployment.ModelId, Deployment.MaxTokens, _context.Settings.DropParams, request.Stream);
        var translation = AnthropicRequestTranslator.Translate(call.Body, options, upstreamBody);
        if (translation.Error is not null)
            return ProviderResult.Failed(translation.Error);
        if (translation.Dropped.Count > 0)
            LogDropped(Logger(call), Deployment.ModelName, string.Join(", ", translation.Dropped));

        using var message = new HttpRequestMessage(HttpMethod.Post, _messagesUri)
        {
            Content = new ReadOnlyMemoryContent(upstreamBody.WrittenMemory) { Headers = { ContentType = Json } },
        };
        UpstreamClients.SetVersion(message);
        if (!string.IsNullOrEmpty(Deployment.ApiKey))
            message.Headers.TryAddWithoutValidation(AnthropicWire.ApiKeyHeader, Deployment.ApiKey);
        if (!Deployment.ExtraHeaders.ContainsKey(AnthropicWire.VersionHeader))
            message.Headers.TryAddWithoutValidation(AnthropicWire.VersionHeader, AnthropicWire.Version);
        foreach (var (name, value) in Deployment.ExtraHeaders)
            message.Headers.TryAddWithoutValidation(name, value);

        var timeouts = _context.Timeouts;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var limit = request.Stream ? timeouts.Stream : timeouts.Request;
        timeout.CancelAfter(limit);
        HttpResponseMessage response;
        try
        {
            response = await _client.SendAsync(message, timeout.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return ProviderResult.Failed(GatewayError.UpstreamTimeout(Deployment.ModelName, limit));
        }
        catch (HttpRequestException e)
        {
            return ProviderResult.Failed(GatewayError.UpstreamUnreachable(Deployment.ModelName, e.Message));
        }

        using (response)
        {
            if (!response.IsSuccessStatusCode)
                return ProviderResult.Failed(await AnthropicErrorMapper.MapAsync(response, Deployment.ModelName, Deployment.ApiKey, timeout.Token));

            var body = await response.Content.ReadAsStreamAsync(timeout.Token);
            if (request.Stream)
            {
                var encoder = new OpenAiChunkEncoder(call.Group.NameJson, request.ClientWantsUsage, _context.Time);
                var decoder = new AnthropicStreamDecoder<OpenAiChunkEncoder>(encoder, Deployment.ModelName, Deployment.ApiKey, translation.JsonMode);
                return await SseRelay.RelayAsync(body, decoder, call.Http, timeout, timeouts.Stream, Deployment.ModelName);
            }
            return await TranslateBodyAsync(body, call, translation.JsonMode, timeout.Token, limit);
        }
    }

    private async ValueTask<ProviderResult> TranslateBodyAsync(Stream body, ChatCall call, bool jsonMode, CancellationToken cancellationToken, TimeSpan limit)
    {
        using var upstream = new PooledBufferWriter(16 * 1024);
        try
        {
            int read;
            while ((read = await body.ReadAsync(upstream.GetMemory(8192), cancellationToken)) > 0)
                upstream.Advance(read);
        }
        catch (OperationCanceledException) when (!call.Http.RequestAborted.IsCancellationRequested)
        {
            return ProviderResult.Failed(GatewayError.UpstreamTimeout(Deployment.ModelName, limit));
        }
        catch (Exception e) when (e is IOException or HttpRequestException)
        {
            return ProviderResult.Failed(GatewayError.UpstreamUnreachable(Deployment.ModelName, "the response broke: " + e.Message));
        }

        using var completion = new PooledBufferWriter(upstream.WrittenCount + 512);
        var created = _context.Time.GetUtcNow().ToUnixTimeSeconds();
        if (!AnthropicResponseTranslator.TryTranslate(upstream.WrittenMemory, call.Group.NameJson, jsonMode, created, completion, out var usage))
            return ProviderResult.Failed(new GatewayError(502, $"Deployment '{Deployment.ModelName}' returned a malformed response.", "api_error", "502"));

        var response = call.Http.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json";
        response.ContentLength = completion.WrittenCount;
        await response.BodyWriter.WriteAsync(completion.WrittenMemory, call.Http.RequestAborted);
        return new ProviderResult(null, true, usage);
    }

    private ILogger Logger(ChatCall call) =>
        _logger ??= call.Http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger<AnthropicChatEndpoint>();

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Deployment}: dropped parameters anthropic cannot honour (drop_params): {Parameters}")]
    private static partial void LogDropped(ILogger logger, string deployment, string parameters);
}

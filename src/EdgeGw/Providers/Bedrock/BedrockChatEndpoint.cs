using System.Net.Http.Headers;
using EdgeGw.Api;
using EdgeGw.Api.Messages;
using EdgeGw.Buffers;
using EdgeGw.Providers.Bedrock.Aws;
using EdgeGw.Providers.OpenAi;
using EdgeGw.Streaming;
using EdgeGw.Upstream;

namespace EdgeGw.Providers.Bedrock;

/// <summary>
/// <c>bedrock/</c> (AWS Bedrock Runtime): OpenAI chat requests translated to Converse and the answers back.
/// <code>
///   client JSON ─ConverseRequestTranslator─▶ POST {endpoint}/model/{id}/converse[-stream]  (SigV4 or Bearer)
///     non-stream ◀─ConverseResponseTranslator─ ConverseResponse JSON
///     stream     ◀─SseRelay(AwsEventStreamFramer → ConverseStreamDecoder → client encoder)─ event stream
///     non-2xx    ◀─BedrockStreamErrors.MapHttp─ {"message"} + x-amzn-ErrorType
/// </code>
/// </summary>
internal sealed partial class BedrockChatEndpoint : ChatEndpoint
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");

    private readonly ProviderContext _context;
    private readonly string _modelId;
    private readonly Uri _converseUri;
    private readonly Uri _streamUri;
    private readonly Uri _invokeUri;
    private readonly HttpMessageInvoker _client;
    private readonly IUpstreamAuth _auth;
    private ILogger? _logger;

    public BedrockChatEndpoint(ProviderContext context) : base(context.Deployment)
    {
        _context = context;
        _modelId = BedrockModelId.Upstream(context.Deployment.ModelId);
        var region = BedrockRegion.Resolve(context.Deployment, context.Environment);
        var model = BedrockEndpoint.Resolve(context.Deployment, region, context.Environment).AbsoluteUri.TrimEnd('/')
            + "/model/" + BedrockModelId.PathSegment(_modelId);
        _converseUri = new Uri(model + "/converse");
        _streamUri = new Uri(model + "/converse-stream");
        _invokeUri = new Uri(model + "/invoke");
        _client = context.Clients.For(_converseUri);
        _auth = BedrockAuth.Create(context, region);
    }

    /// <summary>The Converse URL, model id percent-encoded as one path segment.</summary>
    public Uri ConverseUri => _converseUri;

    public override async ValueTask<ProviderResult> ChatAsync(ChatCall call, CancellationToken cancellationToken)
    {
        var stream = call.Request.Stream;
        using var body = new PooledBufferWriter(Math.Max(4096, call.Body.Length + 1024));
        var translation = ConverseRequestTranslator.Translate(call.Body, new ConverseRequestOptions(_modelId, _context.Settings.DropParams), body);
        if (translation.Error is not null)
            return ProviderResult.Failed(translation.Error);
        if (translation.Dropped.Count > 0)
            LogDropped(Logger(call), Deployment.ModelName, string.Join(", ", translation.Dropped));

        var content = new ReadOnlyMemoryContent(body.WrittenMemory) { Headers = { ContentType = Json } };
        using var message = new HttpRequestMessage(HttpMethod.Post, stream ? _streamUri : _converseUri) { Content = content };
        UpstreamClients.SetVersion(message);
        foreach (var (name, value) in Deployment.ExtraHeaders)
            message.Headers.TryAddWithoutValidation(name, value);
        // Signed last: SigV4 covers the final URI, headers and body.
        if (await _auth.ApplyAsync(message, body.WrittenMemory, cancellationToken) is { } authError)
            return ProviderResult.Failed(authError);

        var limit = stream ? _context.Timeouts.Stream : _context.Timeouts.Request;
        using var timeout = AttemptTimeout.Link(cancellationToken);
        var (response, sendError) = await UpstreamSend.SendAsync(_client, message, timeout, limit, Deployment.ModelName, cancellationToken);
        if (response is null)
            return ProviderResult.Failed(sendError!);

        using (response)
        {
            if (!response.IsSuccessStatusCode)
                return ProviderResult.Failed(await MapErrorAsync(response, timeout.Token));

            ProviderHeaders.Copy(response, call.Http.Response);
            var upstream = await response.Content.ReadAsStreamAsync(timeout.Token);
            if (stream)
            {
                IStreamTranslator decoder = call.Format switch
                {
                    ClientFormat.OpenAi => new ConverseStreamDecoder<OpenAiChunkEncoder>(call.OpenAiEncoder(_context.Time), Deployment.ModelName, translation.JsonToolName, Deployment.ApiKey),
                    ClientFormat.TextCompletion => new ConverseStreamDecoder<Api.Completions.TextCompletionEncoder>(call.TextCompletionEncoder(_context.Time), Deployment.ModelName, translation.JsonToolName, Deployment.ApiKey),
                    ClientFormat.Responses => new ConverseStreamDecoder<Api.Responses.ResponsesEventEncoder>(call.ResponsesEncoder(), Deployment.ModelName, translation.JsonToolName, Deployment.ApiKey),
                    _ => new ConverseStreamDecoder<AnthropicEventEncoder>(call.AnthropicEncoder(), Deployment.ModelName, translation.JsonToolName, Deployment.ApiKey),
                };
                return await SseRelay.RelayAsync(upstream, new AwsEventStreamFramer(), decoder, call.Http, timeout, _context.Timeouts.Stream, Deployment.ModelName);
            }
            return await TranslateBodyAsync(upstream, call, translation.JsonToolName, timeout.Token, limit);
        }
    }

    private async ValueTask<GatewayError> MapErrorAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var body = await UpstreamErrors.ReadBodyAsync(response, cancellationToken);
        var errorType = response.Headers.TryGetValues("x-amzn-ErrorType", out var values) ? values.FirstOrDefault() : null;
        return BedrockStreamErrors.MapHttp(response.StatusCode, errorType, body, Deployment.ModelName, Deployment.ApiKey);
    }

    private async ValueTask<ProviderResult> TranslateBodyAsync(Stream upstream, ChatCall call, string? jsonTool, CancellationToken cancellationToken, TimeSpan limit)
    {
        using var json = new PooledBufferWriter(16 * 1024);
        var readError = await UpstreamBody.ReadAllAsync(upstream, json, Deployment.ModelName, call.Http, limit, cancellationToken);
        if (readError is not null)
            return ProviderResult.Failed(readError);

        using var completion = new PooledBufferWriter(json.WrittenCount + 1024);
        var created = _context.Time.GetUtcNow().ToUnixTimeSeconds();
        if (!ConverseResponseTranslator.TryTranslate(json.WrittenMemory, call.Group.NameJson, jsonTool, created, completion, out var usage))
            return ProviderResult.Failed(new GatewayError(502, $"Deployment '{Deployment.ModelName}' returned a malformed response.", "api_error", "502"));
        return await CompletionWriter.WriteAsync(call, completion.WrittenMemory, usage);
    }

    private ILogger Logger(ChatCall call) =>
        _logger ??= call.Http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger<BedrockChatEndpoint>();

    [LoggerMessage(Level = LogLevel.Debug, Message = "bedrock: deployment '{Deployment}' dropped unsupported parameters: {Parameters}")]
    private static partial void LogDropped(ILogger logger, string deployment, string parameters);
}

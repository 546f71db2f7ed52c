using System.Net.Http.Headers;
using EdgeGw.Api;
using EdgeGw.Api.Messages;
using EdgeGw.Buffers;
using EdgeGw.Providers.OpenAi;
using EdgeGw.Providers.Vertex;
using EdgeGw.Streaming;
using EdgeGw.Upstream;

namespace EdgeGw.Providers.Gemini;

/// <summary>
/// <c>gemini/</c> (Google AI Studio) and Gemini on <c>vertex_ai/</c>: OpenAI chat requests translated to
/// <c>generateContent</c> / <c>streamGenerateContent?alt=sse</c> and the answers translated back; the
/// <see cref="GeminiTarget"/> says where they go and how they are authorised.
/// <code>
///   client JSON ─GeminiRequestTranslator─▶ POST {target}:… (x-goog-api-key, or Vertex's Bearer token)
///     non-stream ◀─GeminiResponseTranslator─ GenerateContentResponse
///     stream     ◀─SseRelay(GeminiStreamDecoder → OpenAiChunkEncoder)─ SSE of GenerateContentResponse
///     non-2xx    ◀─GeminiErrorMapper─ {"error":{code,message,status}}
/// </code>
/// </summary>
internal sealed partial class GeminiChatEndpoint : ChatEndpoint
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");

    private readonly GeminiTarget _target;
    private readonly string _modelPath;
    private readonly HttpMessageInvoker _client;
    private readonly UpstreamTimeouts _timeouts;
    private readonly bool _dropParams;
    private readonly TimeProvider _time;
    private ILogger? _logger;

    public GeminiChatEndpoint(ProviderContext context) : this(context, GeminiTarget.AiStudio(context.Deployment))
    {
    }

    /// <summary>A Gemini-format deployment at <paramref name="target"/> (AI Studio, or Vertex AI's publisher models).</summary>
    public GeminiChatEndpoint(ProviderContext context, GeminiTarget target) : base(context.Deployment)
    {
        _target = target;
        _modelPath = GeminiTarget.ModelPath(context.Deployment.ModelId);
        _client = context.Clients.For(target.GenerateUri);
        _timeouts = context.Timeouts;
        _dropParams = context.Settings.DropParams;
        _time = context.Time;
    }

    /// <summary>Where and how this deployment's requests go.</summary>
    public GeminiTarget Target => _target;

    public override async ValueTask<ProviderResult> ChatAsync(ChatCall call, CancellationToken cancellationToken)
    {
        var request = call.Request;
        using var body = new PooledBufferWriter(Math.Max(4096, call.Body.Length + 1024));
        var dropped = new List<string>();
        var translateError = GeminiRequestTranslator.Translate(call.Body, _dropParams, body, dropped, sendLabels: _target.IsVertex);
        if (translateError is not null)
            return ProviderResult.Failed(translateError);
        if (dropped.Count > 0)
            LogDropped(Logger(call), Deployment.ModelName, string.Join(", ", dropped));

        var content = new ReadOnlyMemoryContent(body.WrittenMemory);
        content.Headers.ContentType = Json;
        using var message = new HttpRequestMessage(HttpMethod.Post, request.Stream ? _target.StreamUri : _target.GenerateUri) { Content = content };
        if (await AuthoriseAsync(message, body.WrittenMemory, cancellationToken) is { } authError)
            return ProviderResult.Failed(authError);

        using var timeout = AttemptTimeout.Link(cancellationToken);
        var limit = request.Stream ? _timeouts.Stream : _timeouts.Request;
        var (response, sendError) = await UpstreamSend.SendAsync(_client, message, timeout, limit, Deployment.ModelName, cancellationToken);
        if (response is null)
            return ProviderResult.Failed(sendError!);

        using (response)
        {
            // Gemini answers a failed stream request with an error status and a JSON body labelled
            // text/event-stream: the status decides, never the content type.
            if (!response.IsSuccessStatusCode)
                return ProviderResult.Failed(await GeminiErrorMapper.MapAsync(response, Deployment.ModelName, Deployment.ApiKey, timeout.Token));

            ProviderHeaders.Copy(response, call.Http.Response);
            var upstream = await response.Content.ReadAsStreamAsync(timeout.Token);
            if (request.Stream && IsEventStream(response))
            {
                IStreamTranslator decoder = call.Format switch
                {
                    ClientFormat.OpenAi => new GeminiStreamDecoder<OpenAiChunkEncoder>(call.OpenAiEncoder(_time), Deployment.ModelName, Deployment.ApiKey),
                    ClientFormat.TextCompletion => new GeminiStreamDecoder<Api.Completions.TextCompletionEncoder>(call.TextCompletionEncoder(_time), Deployment.ModelName, Deployment.ApiKey),
                    ClientFormat.Responses => new GeminiStreamDecoder<Api.Responses.ResponsesEventEncoder>(call.ResponsesEncoder(), Deployment.ModelName, Deployment.ApiKey),
                    _ => new GeminiStreamDecoder<AnthropicEventEncoder>(call.AnthropicEncoder(), Deployment.ModelName, Deployment.ApiKey),
                };
                return await SseRelay.RelayAsync(upstream, decoder, call.Http, timeout, _timeouts.Stream, Deployment.ModelName);
            }
            return await RelayBodyAsync(upstream, response, call, timeout.Token, limit);
        }
    }

    private static bool IsEventStream(HttpResponseMessage response) =>
        response.Content.Headers.ContentType?.MediaType is not { } type || type.Equals("text/event-stream", StringComparison.OrdinalIgnoreCase);

    private async ValueTask<ProviderResult> RelayBodyAsync(Stream upstream, HttpResponseMessage upstreamResponse, ChatCall call, CancellationToken cancellationToken, TimeSpan limit)
    {
        using var json = new PooledBufferWriter(16 * 1024);
        var readError = await UpstreamBody.ReadAllAsync(upstream, json, Deployment.ModelName, call.Http, limit, cancellationToken);
        if (readError is not null)
            return ProviderResult.Failed(readError);

        if (call.Request.Stream)
        {
            // A 2xx stream request answered with plain JSON rather than SSE: only an error makes sense.
            var error = GeminiErrorMapper.Map(upstreamResponse, json.WrittenSpan, Deployment.ModelName, Deployment.ApiKey);
            return ProviderResult.Failed(error.Status is >= 200 and < 300 or 502
                ? new GatewayError(502, $"Deployment '{Deployment.ModelName}' answered a stream request without a stream.", "api_error", "502")
                : error);
        }

        using var output = new PooledBufferWriter(json.WrittenCount + 1024);
        var failure = GeminiResponseTranslator.Translate(json.WrittenMemory, call.Group.NameJson, _time, Deployment.ModelName, Deployment.ApiKey, output, out var usage);
        if (failure is not null)
            return ProviderResult.Failed(failure);

        return await CompletionWriter.WriteAsync(call, output.WrittenMemory, usage);
    }

    public override async ValueTask<ProviderResult> EmbedAsync(EmbeddingCall call, CancellationToken cancellationToken)
    {
        using var body = new PooledBufferWriter(call.Body.Length + 256);
        var vertex = _target.IsVertex;
        var batch = false;
        List<string> texts;
        var requestError = vertex
            ? VertexEmbeddings.WriteRequest(call.Body, call.Request, body, out texts)
            : GeminiEmbeddings.WriteRequest(call.Body, call.Request, _modelPath, body, out texts, out batch);
        if (requestError is not null)
            return ProviderResult.Failed(requestError);

        var content = new ReadOnlyMemoryContent(body.WrittenMemory);
        content.Headers.ContentType = Json;
        using var message = new HttpRequestMessage(HttpMethod.Post, batch ? _target.BatchEmbedUri! : _target.EmbedUri) { Content = content };
        if (await AuthoriseAsync(message, body.WrittenMemory, cancellationToken) is { } authError)
            return ProviderResult.Failed(authError);
        // Sent without UpstreamSend, so forward_traceparent_to_llm_provider is applied here.
        if (Observability.Otel.UpstreamTraceparent.Enabled)
            Observability.Otel.UpstreamTraceparent.Inject(message);

        using var timeout = AttemptTimeout.Link(cancellationToken);
        timeout.CancelAfter(_timeouts.Request);
        try
        {
            using var response = await _client.SendAsync(message, timeout.Token);
            if (!response.IsSuccessStatusCode)
                return ProviderResult.Failed(await GeminiErrorMapper.MapAsync(response, Deployment.ModelName, Deployment.ApiKey, timeout.Token));
            var answer = await response.Content.ReadAsByteArrayAsync(timeout.Token);
            var usage = EmbeddingListWriter.EstimatedUsage(texts);
            using var output = new PooledBufferWriter(answer.Length + 256);
            var written = vertex
                ? VertexEmbeddings.TryWriteResponse(answer, call.Request.Base64, call.Group.NameJson, ref usage, output)
                : GeminiEmbeddings.TryWriteResponse(answer, batch, call.Request.Base64, call.Group.NameJson, usage.PromptTokens, output);
            if (!written)
                return ProviderResult.Failed(new GatewayError(502, $"Deployment '{Deployment.ModelName}' returned a malformed embeddings response.", "api_error", "502"));
            return await EmbeddingListWriter.WriteAsync(call, output.WrittenMemory, usage);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return ProviderResult.Failed(GatewayError.UpstreamTimeout(Deployment.ModelName, _timeouts.Request));
        }
        catch (HttpRequestException e)
        {
            return ProviderResult.Failed(GatewayError.UpstreamUnreachable(Deployment.ModelName, e.Message));
        }
    }

    /// <summary>Headers and credentials on a request whose URI and body are final; a credential that cannot be had is the error.</summary>
    private ValueTask<GatewayError?> AuthoriseAsync(HttpRequestMessage message, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        UpstreamClients.SetVersion(message);
        if (_target.ApiKey is { } key)
            message.Headers.TryAddWithoutValidation(GeminiWire.ApiKeyHeader, key);
        foreach (var (name, value) in Deployment.ExtraHeaders)
            message.Headers.TryAddWithoutValidation(name, value);
        return _target.Auth is { } auth ? auth.ApplyAsync(message, body, cancellationToken) : ValueTask.FromResult<GatewayError?>(null);
    }

    private ILogger Logger(ChatCall call) =>
        _logger ??= call.Http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger<GeminiChatEndpoint>();

    [LoggerMessage(Level = LogLevel.Debug, Message = "gemini: deployment '{Deployment}' dropped unsupported parameters: {Parameters}")]
    private static partial void LogDropped(ILogger logger, string deployment, string parameters);
}

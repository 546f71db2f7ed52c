using System.Net.Http.Headers;
using EdgeGw.Api;
using EdgeGw.Buffers;
using EdgeGw.Json;
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
    private readonly Uri _countTokensUri;
    private readonly HttpMessageInvoker _client;
    private readonly byte[] _modelIdJson;
    private ILogger? _logger;

    public AnthropicChatEndpoint(ProviderContext context) : base(context.Deployment)
    {
        _context = context;
        _messagesUri = AnthropicWire.MessagesUri(context.Deployment.ApiBase);
        _countTokensUri = new Uri(_messagesUri.AbsoluteUri + "/count_tokens");
        _client = context.Clients.For(_messagesUri);
        _modelIdJson = System.Text.Encoding.UTF8.GetBytes(System.Text.Json.JsonSerializer.Serialize(context.Deployment.ModelId, JsonContext.Default.String));
    }

    public Uri MessagesUri => _messagesUri;

    public override async ValueTask<ProviderResult> ChatAsync(ChatCall call, CancellationToken cancellationToken)
    {
        if (call.Format == ClientFormat.Anthropic)
            return await PassThroughAsync(call, cancellationToken);

        var request = call.Request;
        using var upstreamBody = new PooledBufferWriter(Math.Max(4096, call.Body.Length + 512));
        var options = new AnthropicRequestOptions(Deployment.ModelId, Deployment.MaxTokens, _context.Settings.DropParams, request.Stream);
        var translation = AnthropicRequestTranslator.Translate(call.Body, options, upstreamBody);
        if (translation.Error is not null)
            return ProviderResult.Failed(translation.Error);
        if (translation.Dropped.Count > 0)
            LogDropped(Logger(call), Deployment.ModelName, string.Join(", ", translation.Dropped));

        var limit = request.Stream ? _context.Timeouts.Stream : _context.Timeouts.Request;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var content = new ReadOnlyMemoryContent(upstreamBody.WrittenMemory) { Headers = { ContentType = Json } };
        var (response, error) = await SendAsync(_messagesUri, content, null, timeout, limit, cancellationToken);
        if (response is null)
            return ProviderResult.Failed(error!);

        using (response)
        {
            ProviderHeaders.Copy(response, call.Http.Response);
            var body = await response.Content.ReadAsStreamAsync(timeout.Token);
            if (request.Stream)
            {
                IStreamTranslator decoder = call.Format switch
                {
                    ClientFormat.TextCompletion => new AnthropicStreamDecoder<Api.Completions.TextCompletionEncoder>(call.TextCompletionEncoder(_context.Time), Deployment.ModelName, Deployment.ApiKey, translation.JsonMode),
                    ClientFormat.Responses => new AnthropicStreamDecoder<Api.Responses.ResponsesEventEncoder>(call.ResponsesEncoder(), Deployment.ModelName, Deployment.ApiKey, translation.JsonMode),
                    _ => new AnthropicStreamDecoder<OpenAiChunkEncoder>(call.OpenAiEncoder(_context.Time), Deployment.ModelName, Deployment.ApiKey, translation.JsonMode),
                };
                return await SseRelay.RelayAsync(body, decoder, call.Http, timeout, _context.Timeouts.Stream, Deployment.ModelName);
            }
            return await TranslateBodyAsync(body, call, translation.JsonMode, timeout.Token, limit);
        }
    }

    /// <summary>
    /// An Anthropic-format client on an Anthropic deployment: its own body goes upstream with only
    /// the model id substituted (cache_control, thinking, metadata and beta features intact), and
    /// the answer comes back as Anthropic sent it, with only the model name replaced.
    /// </summary>
    private async ValueTask<ProviderResult> PassThroughAsync(ChatCall call, CancellationToken cancellationToken)
    {
        Span<char> ignored = stackalloc char[Api.ChatRequestParser.MaxModelNameChars];
        var parseError = Api.ChatRequestParser.Parse(call.AnthropicBody.Span, out var original, ignored, out _);
        if (parseError is not null)
            return ProviderResult.Failed(parseError);
        var content = new SplicedJsonContent(call.AnthropicBody, new Splice(original.Model.Start, original.Model.Length, _modelIdJson), Splice.None);
        var beta = call.Http.Request.Headers[AnthropicWire.BetaHeader].ToString();

        var stream = call.Request.Stream;
        var limit = stream ? _context.Timeouts.Stream : _context.Timeouts.Request;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var (response, error) = await SendAsync(_messagesUri, content, beta.Length > 0 ? beta : null, timeout, limit, cancellationToken);
        if (response is null)
            return ProviderResult.Failed(error!);

        using (response)
        {
            ProviderHeaders.Copy(response, call.Http.Response);
            var body = await response.Content.ReadAsStreamAsync(timeout.Token);
            if (stream)
                return await SseRelay.RelayAsync(body, new AnthropicStreamRelay(call.Group.NameJson, Deployment.ModelName, Deployment.ApiKey), call.Http, timeout, _context.Timeouts.Stream, Deployment.ModelName);

            using var upstream = new PooledBufferWriter(16 * 1024);
            var readError = await UpstreamBody.ReadAllAsync(body, upstream, Deployment.ModelName, call.Http, limit, timeout.Token);
            if (readError is not null)
                return ProviderResult.Failed(readError);
            return await WriteMessageAsync(upstream, call);
        }
    }

    /// <summary>
    /// <c>/v1/messages/count_tokens</c> for an Anthropic deployment: Anthropic counts, so the request
    /// is forwarded (model id substituted) and its answer returned as it came.
    /// </summary>
    public async ValueTask<ProviderResult> CountTokensAsync(HttpContext http, ReadOnlyMemory<byte> anthropicBody, Json.JsonRange model, CancellationToken cancellationToken)
    {
        var content = new SplicedJsonContent(anthropicBody, new Splice(model.Start, model.Length, _modelIdJson), Splice.None);
        var limit = _context.Timeouts.Request;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var (response, error) = await SendAsync(_countTokensUri, content, null, timeout, limit, cancellationToken);
        if (response is null)
            return ProviderResult.Failed(error!);
        using (response)
        {
            using var body = new PooledBufferWriter(256);
            var readError = await UpstreamBody.ReadAllAsync(await response.Content.ReadAsStreamAsync(timeout.Token), body, Deployment.ModelName, http, limit, timeout.Token);
            if (readError is not null)
                return ProviderResult.Failed(readError);
            http.Response.ContentType = "application/json";
            http.Response.ContentLength = body.WrittenCount;
            await http.Response.Body.WriteAsync(body.WrittenMemory, http.RequestAborted);
            return new ProviderResult(null, true, default);
        }
    }

    private async ValueTask<ProviderResult> WriteMessageAsync(PooledBufferWriter upstream, ChatCall call)
    {
        Usage usage;
        Json.JsonRange model;
        try
        {
            (usage, model) = ScanMessage(upstream.WrittenMemory);
        }
        catch (System.Text.Json.JsonException)
        {
            return ProviderResult.Failed(new GatewayError(502, $"Deployment '{Deployment.ModelName}' returned a malformed response.", "api_error", "502"));
        }
        if (FilteredAnswer.CheckMessage(call, upstream.WrittenSpan, Deployment.ModelName) is { } blocked)
            return ProviderResult.Failed(blocked);
        call.Accounting?.ReportUsage(usage);
        var json = upstream.WrittenMemory;
        var response = call.Http.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json";
        var output = response.BodyWriter;
        if (model.IsEmpty)
        {
            response.ContentLength = json.Length;
            output.Write(json.Span);
        }
        else
        {
            response.ContentLength = json.Length - model.Length + call.Group.NameJson.Length;
            output.Write(json.Span[..model.Start]);
            output.Write(call.Group.NameJson);
            output.Write(json.Span[model.End..]);
        }
        await output.FlushAsync(call.Http.RequestAborted);
        return new ProviderResult(null, true, usage);
    }

    private static (Usage Usage, Json.JsonRange Model) ScanMessage(ReadOnlyMemory<byte> json)
    {
        var reader = new System.Text.Json.Utf8JsonReader(json.Span);
        var model = default(Json.JsonRange);
        var usage = default(AnthropicUsage);
        if (!reader.Read() || reader.TokenType != System.Text.Json.JsonTokenType.StartObject)
            throw new System.Text.Json.JsonException("not an object");
        while (reader.Read() && reader.TokenType == System.Text.Json.JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("model"u8))
            {
                reader.Read();
                model = new Json.JsonRange((int)reader.TokenStartIndex, (int)reader.BytesConsumed - (int)reader.TokenStartIndex);
            }
            else if (reader.ValueTextEquals("usage"u8))
            {
                reader.Read();
                usage.Read(ref reader);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
        return (usage.ToOpenAi(), model);
    }

    /// <summary>Sends to Anthropic (/v1/messages or its count_tokens); a non-2xx answer, a timeout or an unreachable upstream come back as the error.</summary>
    private async ValueTask<(HttpResponseMessage? Response, GatewayError? Error)> SendAsync(
        Uri uri, HttpContent content, string? clientBeta, CancellationTokenSource timeout, TimeSpan limit, CancellationToken cancellationToken)
    {
        using var message = new HttpRequestMessage(HttpMethod.Post, uri) { Content = content };
        UpstreamClients.SetVersion(message);
        if (!string.IsNullOrEmpty(Deployment.ApiKey))
            message.Headers.TryAddWithoutValidation(AnthropicWire.ApiKeyHeader, Deployment.ApiKey);
        if (!Deployment.ExtraHeaders.ContainsKey(AnthropicWire.VersionHeader))
            message.Headers.TryAddWithoutValidation(AnthropicWire.VersionHeader, AnthropicWire.Version);
        foreach (var (name, value) in Deployment.ExtraHeaders)
            message.Headers.TryAddWithoutValidation(name, value);
        if (clientBeta is not null && !Deployment.ExtraHeaders.ContainsKey(AnthropicWire.BetaHeader))
            message.Headers.TryAddWithoutValidation(AnthropicWire.BetaHeader, clientBeta);

        var (response, error) = await UpstreamSend.SendAsync(_client, message, timeout, limit, Deployment.ModelName, cancellationToken);
        if (response is null || response.IsSuccessStatusCode)
            return (response, error);
        using (response)
            return (null, await AnthropicErrorMapper.MapAsync(response, Deployment.ModelName, Deployment.ApiKey, timeout.Token));
    }

    private async ValueTask<ProviderResult> TranslateBodyAsync(Stream body, ChatCall call, bool jsonMode, CancellationToken cancellationToken, TimeSpan limit)
    {
        using var upstream = new PooledBufferWriter(16 * 1024);
        var readError = await UpstreamBody.ReadAllAsync(body, upstream, Deployment.ModelName, call.Http, limit, cancellationToken);
        if (readError is not null)
            return ProviderResult.Failed(readError);

        using var completion = new PooledBufferWriter(upstream.WrittenCount + 512);
        var created = _context.Time.GetUtcNow().ToUnixTimeSeconds();
        if (!AnthropicResponseTranslator.TryTranslate(upstream.WrittenMemory, call.Group.NameJson, jsonMode, created, completion, out var usage))
            return ProviderResult.Failed(new GatewayError(502, $"Deployment '{Deployment.ModelName}' returned a malformed response.", "api_error", "502"));
        if (FilteredAnswer.Check(call, completion.WrittenSpan, Deployment.ModelName) is { } blocked)
            return ProviderResult.Failed(blocked);
        if (call.Format != ClientFormat.OpenAi)
            return await CompletionWriter.WriteAsync(call, completion.WrittenMemory, usage);

        Observability.Otel.GenAiAnswer.FromOpenAi(completion.WrittenSpan, withModel: false);
        call.Accounting?.ReportUsage(usage);
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

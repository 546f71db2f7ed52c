using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using EdgeGw.Api;
using EdgeGw.Buffers;
using EdgeGw.Json;
using EdgeGw.Providers.OpenAi;
using EdgeGw.Streaming;
using EdgeGw.Upstream;

namespace EdgeGw.Providers.Anthropic;

/// <summary>
/// <c>anthropic/</c> deployments, and Claude on <c>vertex_ai/</c> (see <see cref="AnthropicTarget"/>), for OpenAI-format clients:
/// <code>
///   client body ─AnthropicRequestTranslator─▶ POST {api_base}/v1/messages   (Vertex: …:rawPredict / :streamRawPredict)
///     2xx JSON  ─AnthropicResponseTranslator─▶ chat.completion
///     2xx SSE   ─SseRelay + AnthropicStreamDecoder → OpenAiChunkEncoder─▶ chat.completion.chunk
///     non-2xx   ─AnthropicErrorMapper─▶ OpenAI error envelope (529 → 503)
/// </code>
/// </summary>
internal sealed partial class AnthropicChatEndpoint : ChatEndpoint
{
    private readonly ProviderContext _context;
    private readonly AnthropicTarget _target;
    private readonly UpstreamRoute _messages;
    private readonly UpstreamRoute _stream;
    private readonly UpstreamRoute? _countTokens;
    private readonly byte[] _modelIdJson;
    private readonly byte[]? _versionMember;
    private ILogger? _logger;

    public AnthropicChatEndpoint(ProviderContext context) : this(context, AnthropicTarget.Direct(context.Deployment))
    {
    }

    /// <summary>An Anthropic Messages deployment at <paramref name="target"/> (Anthropic's API, or Claude on Vertex AI).</summary>
    public AnthropicChatEndpoint(ProviderContext context, AnthropicTarget target) : base(context.Deployment)
    {
        _context = context;
        _target = target;
        _messages = Route(target.MessagesUri);
        _stream = target.StreamUri == target.MessagesUri ? _messages : Route(target.StreamUri);
        _countTokens = target.CountTokensUri is { } count ? Route(count) : null;
        _modelIdJson = System.Text.Encoding.UTF8.GetBytes(System.Text.Json.JsonSerializer.Serialize(context.Deployment.ModelId, JsonContext.Default.String));
        if (target.BodyVersion is { } version)
            _versionMember = System.Text.Encoding.UTF8.GetBytes("\"anthropic_version\":" + System.Text.Json.JsonSerializer.Serialize(version, JsonContext.Default.String));
    }

    /// <summary>Where and how this deployment's requests go.</summary>
    public AnthropicTarget Target => _target;

    /// <summary>Whether the upstream counts tokens itself (<c>/v1/messages/count_tokens</c>); otherwise the gateway estimates.</summary>
    public bool CountsTokens => _target.CountTokensUri is not null;

    [AsyncMethodBuilder(typeof(PooledValueTaskMethodBuilder<>))]
    public override async ValueTask<ProviderResult> ChatAsync(ChatCall call, CancellationToken cancellationToken)
    {
        if (call.Format == ClientFormat.Anthropic)
            return await PassThroughAsync(call, cancellationToken);

        var request = call.Request;
        using var upstreamBody = new PooledBufferWriter(Math.Max(4096, call.Body.Length + 512));
        var options = new AnthropicRequestOptions(Deployment.ModelId, Deployment.MaxTokens, _context.Settings.DropParams, request.Stream, _target.BodyVersion);
        var translation = AnthropicRequestTranslator.Translate(call.Body, options, upstreamBody);
        if (translation.Error is not null)
            return ProviderResult.Failed(translation.Error);
        if (translation.Dropped.Count > 0)
            LogDropped(Logger(call), Deployment.ModelName, string.Join(", ", translation.Dropped));

        var limit = request.Stream ? _context.Timeouts.Stream : _context.Timeouts.Request;
        using var timeout = AttemptTimeout.Link(cancellationToken);
        var (response, error) = await SendAsync(request.Stream ? _stream : _messages, new SplicedBody(upstreamBody.WrittenMemory), null, timeout, limit, cancellationToken);
        if (error is not null)
            return ProviderResult.Failed(error);

        using (response)
        {
            response.CopyHeaders(call.Http.Response);
            var body = await response.BodyAsync(timeout.Token);
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
    [AsyncMethodBuilder(typeof(PooledValueTaskMethodBuilder<>))]
    private async ValueTask<ProviderResult> PassThroughAsync(ChatCall call, CancellationToken cancellationToken)
    {
        Span<char> ignored = stackalloc char[Api.ChatRequestParser.MaxModelNameChars];
        var parseError = Api.ChatRequestParser.Parse(call.AnthropicBody.Span, out var original, ignored, out _);
        if (parseError is not null)
            return ProviderResult.Failed(parseError);
        var splice = ModelSplice(call.AnthropicBody.Span, original.Model);
        if (splice is null)
            return ProviderResult.Failed(GatewayError.BadRequest("'model' must be written as a plain \"model\" key for this deployment.", "model"));
        var content = new SplicedBody(call.AnthropicBody, splice.Value, Splice.None);
        var beta = call.Http.Request.Headers[AnthropicWire.BetaHeader].ToString();

        var stream = call.Request.Stream;
        var limit = stream ? _context.Timeouts.Stream : _context.Timeouts.Request;
        using var timeout = AttemptTimeout.Link(cancellationToken);
        var (response, error) = await SendAsync(stream ? _stream : _messages, content, beta.Length > 0 && !Deployment.ExtraHeaders.ContainsKey(AnthropicWire.BetaHeader) ? beta : null,
            timeout, limit, cancellationToken);
        if (error is not null)
            return ProviderResult.Failed(error);

        using (response)
        {
            response.CopyHeaders(call.Http.Response);
            var body = await response.BodyAsync(timeout.Token);
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
    /// The edit of a client's Messages body for the upstream: its model id substituted, or (with a body
    /// version) the whole <c>"model":…</c> member replaced by <c>"anthropic_version":…</c>; null when the
    /// member's key is not a plain <c>"model"</c> (escaped), which cannot be cut in place.
    /// </summary>
    private Splice? ModelSplice(ReadOnlySpan<byte> body, Json.JsonRange model)
    {
        if (_versionMember is null)
            return new Splice(model.Start, model.Length, _modelIdJson);
        var i = model.Start - 1;
        while (i >= 0 && IsJsonSpace(body[i]))
            i--;
        if (i < 0 || body[i] != (byte)':')
            return null;
        i--;
        while (i >= 0 && IsJsonSpace(body[i]))
            i--;
        var key = "\"model\""u8;
        var keyStart = i - key.Length + 1;
        if (keyStart < 0 || !body.Slice(keyStart, key.Length).SequenceEqual(key))
            return null;
        return new Splice(keyStart, model.Start + model.Length - keyStart, _versionMember);
    }

    private static bool IsJsonSpace(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n';

    /// <summary>
    /// <c>/v1/messages/count_tokens</c> for an Anthropic deployment: Anthropic counts, so the request
    /// is forwarded (model id substituted) and its answer returned as it came.
    /// </summary>
    public async ValueTask<ProviderResult> CountTokensAsync(HttpContext http, ReadOnlyMemory<byte> anthropicBody, Json.JsonRange model, CancellationToken cancellationToken)
    {
        var content = new SplicedBody(anthropicBody, new Splice(model.Start, model.Length, _modelIdJson), Splice.None);
        var limit = _context.Timeouts.Request;
        using var timeout = AttemptTimeout.Link(cancellationToken);
        var (response, error) = await SendAsync(_countTokens!, content, null, timeout, limit, cancellationToken);
        if (error is not null)
            return ProviderResult.Failed(error);
        using (response)
        {
            using var body = new PooledBufferWriter(256);
            var readError = await UpstreamBody.ReadAllAsync(await response.BodyAsync(timeout.Token), body, Deployment.ModelName, http, limit, timeout.Token);
            if (readError is not null)
                return ProviderResult.Failed(readError);
            http.Response.ContentType = "application/json";
            http.Response.ContentLength = body.WrittenCount;
            await http.Response.Body.WriteAsync(body.WrittenMemory, http.RequestAborted);
            return new ProviderResult(null, true, default);
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
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
    [AsyncMethodBuilder(typeof(PooledValueTaskMethodBuilder<>))]
    /// <param name="clientBeta">The client's <c>anthropic-beta</c>, passed on unless the deployment sets its own.</param>
    private async ValueTask<(UpstreamResponse Response, GatewayError? Error)> SendAsync(
        UpstreamRoute route, SplicedBody body, string? clientBeta, CancellationTokenSource timeout, TimeSpan limit, CancellationToken cancellationToken)
    {
        var (response, error) = await route.SendAsync(body, clientBeta is null ? null : AnthropicWire.BetaHeader, clientBeta, timeout, limit, Deployment.ModelName, cancellationToken);
        if (error is not null || response.IsSuccess)
            return (response, error);
        using (response)
        {
            using var message = await response.ToMessageAsync(timeout.Token);
            return (default, await AnthropicErrorMapper.MapAsync(message, Deployment.ModelName, Deployment.ApiKey, timeout.Token));
        }
    }

    /// <summary>A POST route to <paramref name="uri"/> with the key, the version header and the deployment's extra headers.</summary>
    private UpstreamRoute Route(Uri uri)
    {
        var headers = new List<KeyValuePair<string, string>>(Deployment.ExtraHeaders.Count + 2);
        if (_target.ApiKey is { } key)
            headers.Add(new(AnthropicWire.ApiKeyHeader, key));
        if (_target.BodyVersion is null && !Deployment.ExtraHeaders.ContainsKey(AnthropicWire.VersionHeader))
            headers.Add(new(AnthropicWire.VersionHeader, AnthropicWire.Version));
        headers.AddRange(Deployment.ExtraHeaders);
        return new UpstreamRoute(_context.Clients, uri, headers, _target.Auth);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
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

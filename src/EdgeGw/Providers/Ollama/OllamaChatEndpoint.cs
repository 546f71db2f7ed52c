using System.Runtime.CompilerServices;
using EdgeGw.Api;
using EdgeGw.Api.Messages;
using EdgeGw.Buffers;
using EdgeGw.Providers.OpenAi;
using EdgeGw.Streaming;
using EdgeGw.Upstream;

namespace EdgeGw.Providers.Ollama;

/// <summary>
/// <c>ollama_chat/</c> and <c>ollama/</c>: Ollama's native API, as LiteLLM routes them.
/// <code>
///   client JSON ─OllamaRequestTranslator─▶ POST {api_base}/api/chat     (ollama_chat/: messages, tools)
///                                        ▶ POST {api_base}/api/generate (ollama/: one prompt)
///     non-stream ◀─OllamaResponseTranslator─ one JSON object
///     stream     ◀─SseRelay(NdjsonFramer → OllamaStreamDecoder → OpenAI/Anthropic encoder)─ NDJSON
///     non-2xx    ◀─OllamaErrorMapper─ {"error":"…"}
///   embeddings   ─OllamaEmbeddings─▶ POST {api_base}/api/embed
/// </code>
/// No key is needed; one that is configured goes as <c>Authorization: Bearer</c> (Ollama behind a
/// proxy, Ollama's cloud).
/// </summary>
internal sealed partial class OllamaChatEndpoint : ChatEndpoint
{
    private readonly Uri _chatUri;
    private readonly Uri _embedUri;
    private readonly bool _generate;
    private readonly UpstreamRoute _chatRoute;
    private readonly UpstreamRoute _embedRoute;
    private readonly UpstreamTimeouts _timeouts;
    private readonly bool _dropParams;
    private readonly TimeProvider _time;
    private ILogger? _logger;

    public OllamaChatEndpoint(ProviderContext context) : base(context.Deployment)
    {
        var root = OllamaWire.Root(context.Deployment.ApiBase!);
        _generate = context.Deployment.Provider == "ollama";
        _chatUri = new Uri(root + (_generate ? OllamaWire.GeneratePath : OllamaWire.ChatPath));
        _embedUri = new Uri(root + OllamaWire.EmbedPath);
        // Ollama is usually a plain-http server next door: the Pipelines client serves it (HttpClient for https).
        var headers = new List<KeyValuePair<string, string>>(context.Deployment.ExtraHeaders.Count + 1);
        if (!string.IsNullOrEmpty(context.Deployment.ApiKey))
            headers.Add(new("Authorization", "Bearer " + context.Deployment.ApiKey));
        headers.AddRange(context.Deployment.ExtraHeaders);
        _chatRoute = new UpstreamRoute(context.Clients, _chatUri, headers);
        _embedRoute = new UpstreamRoute(context.Clients, _embedUri, headers);
        _timeouts = context.Timeouts;
        _dropParams = context.Settings.DropParams;
        _time = context.Time;
    }

    public override async ValueTask<ProviderResult> ChatAsync(ChatCall call, CancellationToken cancellationToken)
    {
        var stream = call.Request.Stream;
        using var body = new PooledBufferWriter(Math.Max(4096, call.Body.Length + 1024));
        var dropped = new List<string>();
        var translateError = OllamaRequestTranslator.Translate(call.Body, Deployment, _generate, _dropParams, body, dropped);
        if (translateError is not null)
            return ProviderResult.Failed(translateError);
        if (dropped.Count > 0)
            LogDropped(Logger(call.Http), Deployment.ModelName, string.Join(", ", dropped));

        var limit = stream ? _timeouts.Stream : _timeouts.Request;
        using var timeout = AttemptTimeout.Link(cancellationToken);
        var (response, error) = await SendAsync(_chatRoute, body.WrittenMemory, timeout, limit, cancellationToken);
        if (error is not null)
            return ProviderResult.Failed(error);

        using (response)
        {
            var upstream = await response.BodyAsync(timeout.Token);
            if (stream)
            {
                // A single JSON object (an answer to stream:false, an error) is a one-line NDJSON stream too.
                IStreamTranslator decoder = call.Format switch
                {
                    ClientFormat.OpenAi => new OllamaStreamDecoder<OpenAiChunkEncoder>(call.OpenAiEncoder(_time), Deployment.ModelName, Deployment.ApiKey),
                    ClientFormat.TextCompletion => new OllamaStreamDecoder<Api.Completions.TextCompletionEncoder>(call.TextCompletionEncoder(_time), Deployment.ModelName, Deployment.ApiKey),
                    ClientFormat.Responses => new OllamaStreamDecoder<Api.Responses.ResponsesEventEncoder>(call.ResponsesEncoder(), Deployment.ModelName, Deployment.ApiKey),
                    _ => new OllamaStreamDecoder<AnthropicEventEncoder>(call.AnthropicEncoder(), Deployment.ModelName, Deployment.ApiKey),
                };
                return await SseRelay.RelayAsync(upstream, new NdjsonFramer(), decoder, call.Http, timeout, _timeouts.Stream, Deployment.ModelName);
            }

            using var json = new PooledBufferWriter(16 * 1024);
            var readError = await UpstreamBody.ReadAllAsync(upstream, json, Deployment.ModelName, call.Http, limit, timeout.Token);
            if (readError is not null)
                return ProviderResult.Failed(readError);
            using var output = new PooledBufferWriter(json.WrittenCount + 1024);
            var failure = OllamaResponseTranslator.Translate(json.WrittenMemory, call.Group.NameJson, _time, Deployment.ModelName, Deployment.ApiKey, output, out var usage);
            if (failure is not null)
                return ProviderResult.Failed(failure);
            return await CompletionWriter.WriteAsync(call, output.WrittenMemory, usage);
        }
    }

    public override async ValueTask<ProviderResult> EmbedAsync(EmbeddingCall call, CancellationToken cancellationToken)
    {
        using var body = new PooledBufferWriter(call.Body.Length + 256);
        var requestError = OllamaEmbeddings.WriteRequest(call.Body, call.Request, Deployment.ModelId, body, out var inputBytes);
        if (requestError is not null)
            return ProviderResult.Failed(requestError);

        using var timeout = AttemptTimeout.Link(cancellationToken);
        var (response, error) = await SendAsync(_embedRoute, body.WrittenMemory, timeout, _timeouts.Request, cancellationToken);
        if (error is not null)
            return ProviderResult.Failed(error);
        using (response)
        {
            using var answer = new PooledBufferWriter(64 * 1024);
            var readError = await UpstreamBody.ReadAllAsync(await response.BodyAsync(timeout.Token), answer,
                Deployment.ModelName, call.Http, _timeouts.Request, timeout.Token);
            if (readError is not null)
                return ProviderResult.Failed(readError);
            using var output = new PooledBufferWriter(answer.WrittenCount + 256);
            if (!OllamaEmbeddings.TryWriteResponse(answer.WrittenMemory, call.Request.Base64, call.Group.NameJson, inputBytes, output, out var usage))
                return ProviderResult.Failed(new GatewayError(502, $"Deployment '{Deployment.ModelName}' returned a malformed embeddings response.", "api_error", "502"));
            return await EmbeddingListWriter.WriteAsync(call, output.WrittenMemory, usage);
        }
    }

    /// <summary>Sends one JSON body; a non-2xx answer, a timeout or an unreachable upstream come back as the error.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<(UpstreamResponse Response, GatewayError? Error)> SendAsync(
        UpstreamRoute route, ReadOnlyMemory<byte> body, CancellationTokenSource timeout, TimeSpan limit, CancellationToken cancellationToken)
    {
        var (response, error) = await route.SendAsync(new SplicedBody(body, Splice.None, Splice.None), null, null, timeout, limit, Deployment.ModelName, cancellationToken);
        if (error is not null || response.IsSuccess)
            return (response, error);
        using (response)
        {
            using var message = await response.ToMessageAsync(timeout.Token);
            return (default, await OllamaErrorMapper.MapAsync(message, Deployment.ModelName, Deployment.ApiKey, timeout.Token));
        }
    }

    private ILogger Logger(HttpContext http) =>
        _logger ??= http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger<OllamaChatEndpoint>();

    [LoggerMessage(Level = LogLevel.Debug, Message = "ollama: deployment '{Deployment}' dropped unsupported parameters: {Parameters}")]
    private static partial void LogDropped(ILogger logger, string deployment, string parameters);
}

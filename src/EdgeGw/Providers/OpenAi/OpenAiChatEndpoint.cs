using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using EdgeGw.Api;
using EdgeGw.Api.Messages;
using EdgeGw.Buffers;
using EdgeGw.Config;
using EdgeGw.Streaming;
using EdgeGw.Upstream;

namespace EdgeGw.Providers.OpenAi;

/// <summary>
/// OpenAI and every OpenAI-compatible server: the client's body goes upstream as its own bytes with
/// the model id spliced in (and <c>stream_options.include_usage</c> for streams, so usage can be
/// accounted); the answer comes back with the client's model name spliced in.
/// </summary>
internal partial class OpenAiChatEndpoint : ChatEndpoint
{
    private static readonly ReadOnlyMemory<byte> IncludeUsageProperty = "\"stream_options\":{\"include_usage\":true},"u8.ToArray();
    private static readonly ReadOnlyMemory<byte> IncludeUsageObject = "{\"include_usage\":true}"u8.ToArray();
    private static readonly ReadOnlyMemory<byte> IncludeUsageField = "\"include_usage\":true,"u8.ToArray();
    private static readonly ReadOnlyMemory<byte> True = "true"u8.ToArray();

    private readonly OpenAiTarget _target;
    private readonly HttpMessageInvoker _client;
    private readonly ProviderContext _context;
    private readonly UpstreamRoute _chat;
    private readonly UpstreamRoute _embeddings;
    private readonly UpstreamRoute? _responses;
    private readonly ReadOnlyMemory<byte> _modelIdJson;
    private readonly UpstreamTimeouts _timeouts;
    private readonly ReasoningParams _reasoningParams;
    private readonly bool _dropParams;

    public OpenAiChatEndpoint(ProviderContext context) : this(context, Target(context.Deployment))
    {
    }

    /// <summary>For services that speak OpenAI's format at another address or with another key header.</summary>
    protected OpenAiChatEndpoint(ProviderContext context, OpenAiTarget target) : base(context.Deployment)
    {
        _target = target;
        _client = context.Clients.For(target.ChatUri);
        _context = context;
        _chat = Route(target.ChatUri);
        _embeddings = Route(target.EmbeddingsUri);
        _responses = target.ResponsesUri is { } responses ? Route(responses) : null;
        // Azure's o_series/ and gpt5_series/ prefixes only pick the parameter rules; the deployment is named without them.
        var modelId = context.Deployment.Provider == "azure" ? OpenAiModelFamilies.AzureDeploymentName(context.Deployment.ModelId) : context.Deployment.ModelId;
        _modelIdJson = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(modelId, JsonContext.Default.String));
        _timeouts = context.Timeouts;
        _reasoningParams = ReasoningParams.For(context.Deployment);
        _dropParams = context.Settings.DropParams;
    }

    public Uri ChatUri => _target.ChatUri;

    /// <summary>How the Responses resource routes (GET/DELETE/cancel/input_items of a stored response) reach this deployment.</summary>
    internal (HttpMessageInvoker Client, OpenAiTarget Target, TimeSpan Timeout) Upstream => (_client, _target, _timeouts.Request);

    private static OpenAiTarget Target(Deployment d) => new(
        new Uri(d.ApiBase + "/chat/completions"),
        new Uri(d.ApiBase + "/embeddings"),
        "Authorization",
        string.IsNullOrEmpty(d.ApiKey) ? null : "Bearer " + d.ApiKey,
        SpliceModelId: true,
        RequestStreamUsage: true,
        // Only OpenAI itself is known to serve /responses; other OpenAI-compatible servers are bridged.
        ResponsesUri: d.Provider == "openai" ? new Uri(d.ApiBase + "/responses") : null);

    /// <summary>Turns a non-2xx upstream answer into the error the client gets.</summary>
    protected virtual ValueTask<GatewayError> MapErrorAsync(HttpResponseMessage response, CancellationToken cancellationToken) =>
        OpenAiErrorMapper.MapAsync(response, Deployment.ModelName, Deployment.ApiKey, cancellationToken);

    [AsyncMethodBuilder(typeof(PooledValueTaskMethodBuilder<>))]
    public override async ValueTask<ProviderResult> ChatAsync(ChatCall call, CancellationToken cancellationToken)
    {
        if (call.Format == ClientFormat.Responses && ServesResponses)
            return await ResponsesAsync(call, cancellationToken);
        var request = call.Request;
        var model = _target.SpliceModelId ? new Splice(request.Model.Start, request.Model.Length, _modelIdJson) : Splice.None;
        var usage = _target.RequestStreamUsage ? UsageSplice(request) : Splice.None;
        List<Splice>? paramEdits = null;
        if (_reasoningParams.Edit(call.Body.Span, _dropParams, out paramEdits) is { } refused)
            return ProviderResult.Failed(refused);
        var limit = request.Stream ? _timeouts.Stream : _timeouts.Request;
        using var timeout = AttemptTimeout.Link(cancellationToken);
        var (response, error) = await _chat.SendAsync(new SplicedBody(call.Body, model, usage, paramEdits), null, null, timeout, limit, Deployment.ModelName, cancellationToken);
        error ??= await ErrorOfAsync(response, timeout.Token);
        if (error is not null)
            return ProviderResult.Failed(error);

        using (response)
        {
            response.CopyHeaders(call.Http.Response);
            var body = await response.BodyAsync(timeout.Token);
            // call.Request, not the local copy: a struct read after an await is held in the state machine's box.
            if (call.Request.Stream)
            {
                // Same format both ways: relay the upstream's bytes; otherwise decode into the client's format.
                IStreamTranslator relay = call.Format switch
                {
                    ClientFormat.OpenAi => new OpenAiStreamRelay(call.Group.NameJson, call.Request.ClientWantsUsage, Deployment.ModelName, Deployment.ApiKey),
                    ClientFormat.TextCompletion => new OpenAiStreamDecoder<Api.Completions.TextCompletionEncoder>(call.TextCompletionEncoder(TimeProvider.System), Deployment.ModelName),
                    ClientFormat.Responses => new OpenAiStreamDecoder<Api.Responses.ResponsesEventEncoder>(call.ResponsesEncoder(), Deployment.ModelName),
                    _ => new OpenAiStreamDecoder<AnthropicEventEncoder>(call.AnthropicEncoder(), Deployment.ModelName),
                };
                return await SseRelay.RelayAsync(body, relay, call.Http, timeout, _timeouts.Stream, Deployment.ModelName);
            }
            using var buffer = PooledBufferWriter.Rent(16 * 1024);
            error = await UpstreamBody.ReadAllAsync(body, buffer, Deployment.ModelName, call.Http, limit, timeout.Token);
            if (error is not null)
                return ProviderResult.Failed(error);
            if (OpenAiBodyError.Find(buffer.WrittenSpan, Deployment.ModelName, Deployment.ApiKey) is { } bodyError)
                return ProviderResult.Failed(bodyError);
            if (call.Format != ClientFormat.OpenAi)
            {
                return OpenAiObjectScan.TryScan(buffer.WrittenSpan, out var scanned)
                    ? await CompletionWriter.WriteAsync(call, buffer.WrittenMemory, scanned.Usage)
                    : ProviderResult.Failed(Malformed());
            }
            if (FilteredAnswer.Check(call, buffer.WrittenSpan, Deployment.ModelName) is { } blocked)
                return ProviderResult.Failed(blocked);
            return await WriteWithClientModelAsync(buffer, call.Http, call.Group.NameJson, call.Accounting);
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public override async ValueTask<ProviderResult> EmbedAsync(EmbeddingCall call, CancellationToken cancellationToken)
    {
        var request = call.Request;
        var model = _target.SpliceModelId ? new Splice(request.Model.Start, request.Model.Length, _modelIdJson) : Splice.None;
        using var timeout = AttemptTimeout.Link(cancellationToken);
        var (response, error) = await _embeddings.SendAsync(new SplicedBody(call.Body, model, Splice.None), null, null, timeout, _timeouts.Request, Deployment.ModelName, cancellationToken);
        error ??= await ErrorOfAsync(response, timeout.Token);
        if (error is not null)
            return ProviderResult.Failed(error);
        using (response)
        {
            response.CopyHeaders(call.Http.Response);
            using var buffer = new PooledBufferWriter(64 * 1024);
            error = await UpstreamBody.ReadAllAsync(await response.BodyAsync(timeout.Token), buffer, Deployment.ModelName, call.Http, _timeouts.Request, timeout.Token);
            return error is not null ? ProviderResult.Failed(error) : await WriteWithClientModelAsync(buffer, call.Http, call.Group.NameJson, call.Accounting);
        }
    }

    /// <summary>
    /// Null for a 2xx answer, with no await; otherwise the error the client gets (the answer read and disposed).
    /// Callers await the route themselves: a wrapper level would cost a state-machine box per request under concurrency.
    /// </summary>
    private ValueTask<GatewayError?> ErrorOfAsync(UpstreamResponse response, CancellationToken cancellationToken) =>
        response.IsSuccess ? default : MapFailureAsync(response, cancellationToken);

    private async ValueTask<GatewayError?> MapFailureAsync(UpstreamResponse response, CancellationToken cancellationToken)
    {
        using (response)
        {
            using var message = await response.ToMessageAsync(cancellationToken);
            return await MapErrorAsync(message, cancellationToken);
        }
    }

    /// <summary>A POST route to <paramref name="uri"/> with the deployment's key and extra headers.</summary>
    private UpstreamRoute Route(Uri uri)
    {
        var headers = new List<KeyValuePair<string, string>>(Deployment.ExtraHeaders.Count + 1);
        if (_target.AuthValue is not null)
            headers.Add(new(_target.AuthHeader, _target.AuthValue));
        headers.AddRange(Deployment.ExtraHeaders);
        return new UpstreamRoute(_context.Clients, uri, headers);
    }

    /// <summary>Asks for the usage chunk on a stream whose client did not, so the stream can be billed.</summary>
    private static Splice UsageSplice(in ChatRequest request)
    {
        if (!request.Stream || request.ClientWantsUsage)
            return Splice.None;
        if (!request.IncludeUsageValue.IsEmpty)
            return new Splice(request.IncludeUsageValue.Start, request.IncludeUsageValue.Length, True);
        if (request.StreamOptions.IsEmpty)
            return new Splice(request.RootBodyStart, 0, IncludeUsageProperty);
        if (request.StreamOptions.Length == 4) // null
            return new Splice(request.StreamOptions.Start, 4, IncludeUsageObject);
        // An object without include_usage: add it as the first member (a trailing comma is wrong for {}).
        return request.StreamOptionsIsEmpty
            ? new Splice(request.StreamOptions.Start, request.StreamOptions.Length, IncludeUsageObject)
            : new Splice(request.StreamOptions.Start + 1, 0, IncludeUsageField);
    }

    private GatewayError Malformed() =>
        new(502, $"Deployment '{Deployment.ModelName}' returned a malformed response.", "api_error", "502");

    /// <summary>Writes an OpenAI-format JSON answer with only its <c>model</c> replaced by the client's name.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<ProviderResult> WriteWithClientModelAsync(PooledBufferWriter buffer, HttpContext http, byte[] clientModelJson, Spend.RequestAccounting? accounting)
    {
        var json = buffer.WrittenSpan;
        if (!OpenAiObjectScan.TryScan(json, out var scan))
            return ProviderResult.Failed(Malformed());
        Observability.Otel.GenAiAnswer.FromOpenAi(json);
        // A Content-Length answer ends with its last byte: the bill is counted before it is written.
        accounting?.ReportUsage(scan.Usage);

        var response = http.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json";
        var output = response.BodyWriter;
        if (scan.Model.IsEmpty)
        {
            response.ContentLength = json.Length;
            output.Write(json);
        }
        else
        {
            response.ContentLength = json.Length - scan.Model.Length + clientModelJson.Length;
            output.Write(json[..scan.Model.Start]);
            output.Write(clientModelJson);
            output.Write(json[scan.Model.End..]);
        }
        await output.FlushAsync(http.RequestAborted);
        return new ProviderResult(null, true, scan.Usage);
    }
}

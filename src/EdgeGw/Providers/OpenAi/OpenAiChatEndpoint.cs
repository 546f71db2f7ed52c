using System.Text;
using System.Text.Json;
using EdgeGw.Api;
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
internal sealed class OpenAiChatEndpoint : ChatEndpoint
{
    private static readonly ReadOnlyMemory<byte> IncludeUsageProperty = "\"stream_options\":{\"include_usage\":true},"u8.ToArray();
    private static readonly ReadOnlyMemory<byte> IncludeUsageObject = "{\"include_usage\":true}"u8.ToArray();
    private static readonly ReadOnlyMemory<byte> IncludeUsageField = "\"include_usage\":true,"u8.ToArray();
    private static readonly ReadOnlyMemory<byte> True = "true"u8.ToArray();

    private readonly Uri _chatUri;
    private readonly HttpMessageInvoker _client;
    private readonly string? _authorization;
    private readonly ReadOnlyMemory<byte> _modelIdJson;
    private readonly UpstreamTimeouts _timeouts;

    public OpenAiChatEndpoint(ProviderContext context) : base(context.Deployment)
    {
        var deployment = context.Deployment;
        _chatUri = new Uri(ChatBase(deployment) + "/chat/completions");
        _client = context.Clients.For(_chatUri);
        _authorization = string.IsNullOrEmpty(deployment.ApiKey) ? null : "Bearer " + deployment.ApiKey;
        _modelIdJson = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(deployment.ModelId, JsonContext.Default.String));
        _timeouts = context.Timeouts;
    }

    public Uri ChatUri => _chatUri;

    // Ollama serves the OpenAI format under /v1; LiteLLM configs give its bare host.
    private static string ChatBase(Deployment d) =>
        d.Provider == "ollama_chat" && !d.ApiBase!.EndsWith("/v1", StringComparison.Ordinal) ? d.ApiBase + "/v1" : d.ApiBase!;

    public override async ValueTask<ProviderResult> ChatAsync(ChatCall call, CancellationToken cancellationToken)
    {
        var request = call.Request;
        using var message = new HttpRequestMessage(HttpMethod.Post, _chatUri)
        {
            Content = new SplicedJsonContent(call.Body, new Splice(request.Model.Start, request.Model.Length, _modelIdJson), UsageSplice(request)),
        };
        UpstreamClients.SetVersion(message);
        if (_authorization is not null)
            message.Headers.TryAddWithoutValidation("Authorization", _authorization);
        foreach (var (name, value) in Deployment.ExtraHeaders)
            message.Headers.TryAddWithoutValidation(name, value);

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var limit = request.Stream ? _timeouts.Stream : _timeouts.Request;
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
                return ProviderResult.Failed(await OpenAiErrorMapper.MapAsync(response, Deployment.ModelName, Deployment.ApiKey, timeout.Token));

            var body = await response.Content.ReadAsStreamAsync(timeout.Token);
            if (request.Stream)
            {
                var relay = new OpenAiStreamRelay(call.Group.NameJson, request.ClientWantsUsage, Deployment.ModelName);
                return await SseRelay.RelayAsync(body, relay, call.Http, timeout, _timeouts.Stream, Deployment.ModelName);
            }
            return await RelayBodyAsync(body, call, timeout.Token, limit);
        }
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

    private async ValueTask<ProviderResult> RelayBodyAsync(Stream body, ChatCall call, CancellationToken cancellationToken, TimeSpan limit)
    {
        using var buffer = new PooledBufferWriter(16 * 1024);
        try
        {
            int read;
            while ((read = await body.ReadAsync(buffer.GetMemory(8192), cancellationToken)) > 0)
                buffer.Advance(read);
        }
        catch (OperationCanceledException) when (!call.Http.RequestAborted.IsCancellationRequested)
        {
            return ProviderResult.Failed(GatewayError.UpstreamTimeout(Deployment.ModelName, limit));
        }
        catch (Exception e) when (e is IOException or HttpRequestException)
        {
            return ProviderResult.Failed(GatewayError.UpstreamUnreachable(Deployment.ModelName, "the response broke: " + e.Message));
        }

        var json = buffer.WrittenSpan;
        if (!OpenAiObjectScan.TryScan(json, out var scan))
            return ProviderResult.Failed(new GatewayError(502, $"Deployment '{Deployment.ModelName}' returned a malformed response.", "api_error", "502"));

        call.Accounting?.ReportUsage(scan.Usage);
        var response = call.Http.Response;
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
            response.ContentLength = json.Length - scan.Model.Length + call.Group.NameJson.Length;
            output.Write(json[..scan.Model.Start]);
            output.Write(call.Group.NameJson);
            output.Write(json[scan.Model.End..]);
        }
        await output.FlushAsync(call.Http.RequestAborted);
        return new ProviderResult(null, true, scan.Usage);
    }
}

using EdgeGw.Buffers;
using EdgeGw.Streaming;
using EdgeGw.Upstream;

namespace EdgeGw.Providers.OpenAi;

/// <summary>Legacy <c>/v1/completions</c> passed through to an OpenAI-format upstream that serves it.</summary>
internal partial class OpenAiChatEndpoint
{
    private UpstreamRoute? _completions;

    /// <summary>
    /// Whether the upstream answers <c>/completions</c> for this model. OpenAI and Azure serve it only
    /// for their completion models (gpt-3.5-turbo-instruct, davinci-002, babbage-002) and answer a
    /// chat model with a 404, so those are bridged through chat as LiteLLM does; every other
    /// OpenAI-format server (vLLM, LM Studio, Together, an <c>openai/</c> model at its own api_base)
    /// serves it for every model, and a raw prompt is what its clients want.
    /// </summary>
    public bool ServesCompletions => !IsOpenAiItself
        || Deployment.ModelId.Contains("instruct", StringComparison.OrdinalIgnoreCase)
        || Deployment.ModelId.EndsWith("davinci-002", StringComparison.OrdinalIgnoreCase)
        || Deployment.ModelId.EndsWith("babbage-002", StringComparison.OrdinalIgnoreCase);

    private bool IsOpenAiItself => Deployment.Provider == "azure"
        || Deployment.Provider == "openai" && _target.ChatUri.Host.Equals("api.openai.com", StringComparison.OrdinalIgnoreCase);

    private UpstreamRoute Completions => _completions ??= Route(new Uri(_target.ChatUri.AbsoluteUri.Replace("/chat/completions", "/completions", StringComparison.Ordinal)));

    /// <summary>The client's completions body with the model id spliced in; the answer relayed with the client's model name.</summary>
    public async ValueTask<ProviderResult> CompletionsAsync(ChatCall call, CancellationToken cancellationToken)
    {
        var request = call.Request;
        var model = _target.SpliceModelId ? new Splice(request.Model.Start, request.Model.Length, _modelIdJson) : Splice.None;
        var usage = _target.RequestStreamUsage ? UsageSplice(request) : Splice.None;
        var limit = request.Stream ? _timeouts.Stream : _timeouts.Request;
        using var timeout = AttemptTimeout.Link(cancellationToken);
        var (response, error) = await Completions.SendAsync(new SplicedBody(call.Body, model, usage), null, null, timeout, limit, Deployment.ModelName, cancellationToken);
        error ??= await ErrorOfAsync(response, timeout.Token);
        if (error is not null)
            return ProviderResult.Failed(error);

        using (response)
        {
            response.CopyHeaders(call.Http.Response);
            var body = await response.BodyAsync(timeout.Token);
            if (request.Stream)
            {
                var relay = new OpenAiStreamRelay(call.Group.NameJson, request.ClientWantsUsage, Deployment.ModelName, Deployment.ApiKey);
                return await SseRelay.RelayAsync(body, relay, call.Http, timeout, _timeouts.Stream, Deployment.ModelName);
            }
            using var buffer = new PooledBufferWriter(16 * 1024);
            error = await UpstreamBody.ReadAllAsync(body, buffer, Deployment.ModelName, call.Http, limit, timeout.Token);
            if (error is not null)
                return ProviderResult.Failed(error);
            if (OpenAiBodyError.Find(buffer.WrittenSpan, Deployment.ModelName, Deployment.ApiKey) is { } bodyError)
                return ProviderResult.Failed(bodyError);
            return await WriteWithClientModelAsync(buffer, call.Http, call.Group.NameJson, call.Accounting);
        }
    }
}

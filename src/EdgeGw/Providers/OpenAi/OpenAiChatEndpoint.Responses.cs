using EdgeGw.Api;
using EdgeGw.Buffers;
using EdgeGw.Streaming;
using EdgeGw.Upstream;

namespace EdgeGw.Providers.OpenAi;

/// <summary>
/// <c>/v1/responses</c> on an OpenAI or Azure deployment: the client's own Responses body goes to the
/// upstream's Responses API with the model id spliced in (built-in tools, <c>previous_response_id</c>
/// and everything else OpenAI keeps intact); the answer comes back with the client's model name.
/// </summary>
internal partial class OpenAiChatEndpoint
{
    public bool ServesResponses => _target.ResponsesUri is not null;

    private async ValueTask<ProviderResult> ResponsesAsync(ChatCall call, CancellationToken cancellationToken)
    {
        var request = call.Request;
        var model = new Splice(request.Model.Start, request.Model.Length, _modelIdJson);
        var limit = request.Stream ? _timeouts.Stream : _timeouts.Request;
        using var timeout = AttemptTimeout.Link(cancellationToken);
        var (response, error) = await _responses!.SendAsync(new SplicedBody(call.ResponsesBody, model, Splice.None), null, null, timeout, limit, Deployment.ModelName, cancellationToken);
        error ??= await ErrorOfAsync(response, timeout.Token);
        if (error is not null)
            return ProviderResult.Failed(error);

        using (response)
        {
            response.CopyHeaders(call.Http.Response);
            var body = await response.BodyAsync(timeout.Token);
            if (request.Stream)
            {
                var relay = new OpenAiResponsesRelay(call.Group.NameJson, Deployment.ModelName, Deployment.ApiKey);
                var streamed = await SseRelay.RelayAsync(body, relay, call.Http, timeout, _timeouts.Stream, Deployment.ModelName);
                if (streamed.Error is null && relay.ResponseId is { } streamedId)
                    call.ResponsesTurn?.Forwarded(streamedId);
                return streamed;
            }
            using var buffer = new PooledBufferWriter(16 * 1024);
            error = await UpstreamBody.ReadAllAsync(body, buffer, Deployment.ModelName, call.Http, limit, timeout.Token);
            if (error is not null)
                return ProviderResult.Failed(error);
            var result = await WriteWithClientModelAsync(buffer, call.Http, call.Group.NameJson, call.Accounting);
            // OpenAI keeps the turn; EdgeGw remembers which deployment, for GET/DELETE and follow-ups.
            if (result.Error is null && call.ResponsesTurn is { } turn && OpenAiResponsesRelay.TopLevelId(buffer.WrittenSpan) is { } id)
                turn.Forwarded(id);
            return result;
        }
    }
}

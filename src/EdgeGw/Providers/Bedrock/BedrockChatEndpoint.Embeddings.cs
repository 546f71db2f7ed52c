using System.Text.Json;
using EdgeGw.Api;
using EdgeGw.Buffers;
using EdgeGw.Upstream;

namespace EdgeGw.Providers.Bedrock;

/// <summary><c>/v1/embeddings</c> on Bedrock: Titan and Cohere embedding models through InvokeModel (<c>/model/{id}/invoke</c>).</summary>
internal sealed partial class BedrockChatEndpoint
{
    // LiteLLM calls Titan once per text; a bound keeps one request from fanning out without limit.
    private const int MaxTitanInputs = 256;

    public override async ValueTask<ProviderResult> EmbedAsync(EmbeddingCall call, CancellationToken cancellationToken)
    {
        var family = BedrockEmbeddings.Of(BedrockModelId.Base(_modelId));
        if (family == BedrockEmbeddings.Family.None)
            return await base.EmbedAsync(call, cancellationToken);
        if (EdgeGw.Json.JsonText.InvalidTextError(call.Body.Span) is { } invalid)
            return ProviderResult.Failed(invalid);
        List<string>? texts;
        using (var document = JsonDocument.Parse(call.Body))
            texts = EmbeddingListWriter.InputTexts(document.RootElement.GetProperty("input"));
        if (texts is null || texts.Count == 0)
            return ProviderResult.Failed(GatewayError.BadRequest("Bedrock embeddings take 'input' as a string or a non-empty array of strings (not token ids).", "input"));
        if (family == BedrockEmbeddings.Family.Titan && texts.Count > MaxTitanInputs)
            return ProviderResult.Failed(GatewayError.BadRequest($"Titan embeds one text a call: send at most {MaxTitanInputs} inputs a request.", "input"));

        using var output = new PooledBufferWriter(16 * 1024);
        using var json = new Utf8JsonWriter(output, EdgeGw.Json.JsonOptions.Writer);
        var list = new EmbeddingListWriter(json, call.Request.Base64);
        list.Start();
        long tokens;
        if (family == BedrockEmbeddings.Family.Titan)
        {
            tokens = 0;
            foreach (var text in texts)
            {
                var (answer, error) = await InvokeAsync(BedrockEmbeddings.TitanRequest(text, call.Request.Dimensions), cancellationToken);
                if (error is not null)
                    return ProviderResult.Failed(error);
                if (!BedrockEmbeddings.TryReadTitan(answer, out var vector, out var count))
                    return Malformed();
                list.Add(vector);
                tokens += count;
            }
        }
        else
        {
            var (answer, error) = await InvokeAsync(BedrockEmbeddings.CohereRequest(texts, "search_document"), cancellationToken);
            if (error is not null)
                return ProviderResult.Failed(error);
            var vectors = new List<float[]>(texts.Count);
            if (!BedrockEmbeddings.TryReadCohere(answer, vectors) || vectors.Count != texts.Count)
                return Malformed();
            foreach (var vector in vectors)
                list.Add(vector);
            tokens = EmbeddingListWriter.EstimatedUsage(texts).PromptTokens;
        }
        list.End(call.Group.NameJson, tokens);
        json.Flush();
        return await EmbeddingListWriter.WriteAsync(call, output.WrittenMemory, new EdgeGw.Json.Usage { Present = true, PromptTokens = tokens });
    }

    private ProviderResult Malformed() =>
        ProviderResult.Failed(new GatewayError(502, $"Deployment '{Deployment.ModelName}' returned a malformed embeddings response.", "api_error", "502"));

    /// <summary>One signed InvokeModel call; a non-2xx answer, a timeout or an unreachable upstream come back as the error.</summary>
    private async ValueTask<(byte[] Body, GatewayError? Error)> InvokeAsync(byte[] body, CancellationToken cancellationToken)
    {
        var content = new ByteArrayContent(body) { Headers = { ContentType = Json } };
        using var message = new HttpRequestMessage(HttpMethod.Post, _invokeUri) { Content = content };
        UpstreamClients.SetVersion(message);
        foreach (var (name, value) in Deployment.ExtraHeaders)
            message.Headers.TryAddWithoutValidation(name, value);
        if (await _auth.ApplyAsync(message, body, cancellationToken) is { } authError)
            return ([], authError);
        using var timeout = AttemptTimeout.Link(cancellationToken);
        var (response, sendError) = await UpstreamSend.SendAsync(_client, message, timeout, _context.Timeouts.Request, Deployment.ModelName, cancellationToken);
        if (response is null)
            return ([], sendError);
        using (response)
        {
            if (!response.IsSuccessStatusCode)
                return ([], await MapErrorAsync(response, timeout.Token));
            try
            {
                return (await response.Content.ReadAsByteArrayAsync(timeout.Token), null);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return ([], GatewayError.UpstreamTimeout(Deployment.ModelName, _context.Timeouts.Request));
            }
            catch (HttpRequestException e)
            {
                return ([], GatewayError.UpstreamUnreachable(Deployment.ModelName, e.Message));
            }
        }
    }
}

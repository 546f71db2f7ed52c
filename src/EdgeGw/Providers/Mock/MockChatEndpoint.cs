using System.Buffers;
using System.Text.Json;
using EdgeGw.Api;
using EdgeGw.Buffers;
using EdgeGw.Config;
using EdgeGw.Json;
using EdgeGw.Streaming;

namespace EdgeGw.Providers.Mock;

/// <summary>
/// The built-in <c>mock/</c> provider: deterministic OpenAI-format answers with no upstream, paced
/// by <c>mock_latency_ms</c> (before the first token) and <c>mock_tokens_per_second</c>. It makes
/// the example config answer without provider keys and gives load tests an upstream-free baseline.
/// </summary>
internal sealed class MockChatEndpoint : ChatEndpoint
{
    public const string DefaultResponse = "This is a mock response from EdgeGw.";

    private static long s_counter;
    private readonly string[] _tokens;
    private readonly byte[][] _encodedTokens;
    private readonly string _text;
    private readonly TimeProvider _time;

    public MockChatEndpoint(Deployment deployment, TimeProvider time) : base(deployment)
    {
        _text = deployment.Mock.Response ?? DefaultResponse;
        _tokens = Tokenize(_text);
        _encodedTokens = [.. _tokens.Select(JsonStringContent)];
        _time = time;
    }

    /// <summary>A token as JSON string content (escaped, no quotes), what stream encoders take.</summary>
    private static byte[] JsonStringContent(string text)
    {
        var quoted = System.Text.Encoding.UTF8.GetBytes(JsonSerializer.Serialize(text, JsonContext.Default.String));
        return quoted[1..^1];
    }

    /// <summary>Words with their trailing space: the mock's notion of a token.</summary>
    private static string[] Tokenize(string text)
    {
        var tokens = new List<string>();
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == ' ')
            {
                tokens.Add(text[start..(i + 1)]);
                start = i + 1;
            }
        }
        if (start < text.Length)
            tokens.Add(text[start..]);
        return [.. tokens];
    }

    public override async ValueTask<ProviderResult> ChatAsync(ChatCall call, CancellationToken cancellationToken)
    {
        var mock = Deployment.Mock;
        if (mock.Latency > TimeSpan.Zero)
            await Task.Delay(mock.Latency, _time, cancellationToken);

        var usage = new Usage
        {
            Present = true,
            PromptTokens = call.Request.EstimatedPromptTokens,
            CompletionTokens = _tokens.Length,
        };
        var id = "chatcmpl-mock-" + Interlocked.Increment(ref s_counter).ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (!call.Request.Stream)
        {
            using var completion = new PooledBufferWriter(512);
            using (var json = new Utf8JsonWriter(completion, JsonOptions.Writer))
                WriteCompletion(json, id, _time.GetUtcNow().ToUnixTimeSeconds(), call.Group.NameJson, usage);
            return await CompletionWriter.WriteAsync(call, completion.WrittenMemory, usage);
        }
        return call.Format switch
        {
            ClientFormat.OpenAi => await StreamAsync(call, call.OpenAiEncoder(_time), id, usage, cancellationToken),
            ClientFormat.TextCompletion => await StreamAsync(call, call.TextCompletionEncoder(_time), id, usage, cancellationToken),
            ClientFormat.Responses => await StreamAsync(call, call.ResponsesEncoder(), id, usage, cancellationToken),
            _ => await StreamAsync(call, call.AnthropicEncoder(), id, usage, cancellationToken),
        };
    }

    /// <summary>Deterministic vectors (the same text always gives the same vector), 8 dimensions unless asked.</summary>
    public override async ValueTask<ProviderResult> EmbedAsync(EmbeddingCall call, CancellationToken cancellationToken)
    {
        if (JsonText.InvalidTextError(call.Body.Span) is { } invalid)
            return ProviderResult.Failed(invalid);
        List<string>? texts;
        using (var document = JsonDocument.Parse(call.Body))
            texts = EmbeddingListWriter.InputTexts(document.RootElement.GetProperty("input"));
        if (texts is null || texts.Count == 0)
            return ProviderResult.Failed(GatewayError.BadRequest("'input' must be a string or a non-empty array of strings.", "input"));
        var usage = EmbeddingListWriter.EstimatedUsage(texts);
        using var output = new PooledBufferWriter(1024);
        using (var json = new Utf8JsonWriter(output, JsonOptions.Writer))
        {
            var list = new EmbeddingListWriter(json, call.Request.Base64);
            list.Start();
            var vector = new float[call.Request.Dimensions ?? 8];
            foreach (var text in texts)
            {
                var hash = 2166136261u;
                foreach (var c in text)
                    hash = (hash ^ c) * 16777619u;
                for (var i = 0; i < vector.Length; i++)
                {
                    hash = (hash ^ (uint)i) * 16777619u;
                    vector[i] = (hash % 2001) / 1000f - 1f;
                }
                list.Add(vector);
            }
            list.End(call.Group.NameJson, usage.PromptTokens);
        }
        call.Accounting?.ReportUsage(usage);
        var response = call.Http.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json";
        response.ContentLength = output.WrittenCount;
        await response.Body.WriteAsync(output.WrittenMemory, cancellationToken);
        return new ProviderResult(null, true, usage);
    }

    private async ValueTask<ProviderResult> StreamAsync<TEncoder>(ChatCall call, TEncoder encoder, string id, Usage usage, CancellationToken cancellationToken)
        where TEncoder : IChatStreamEncoder
    {
        var response = call.Http.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/event-stream; charset=utf-8";
        response.Headers.CacheControl = "no-cache";
        var output = response.BodyWriter;
        var pause = Deployment.Mock.TokensPerSecond > 0 ? TimeSpan.FromSeconds(1 / Deployment.Mock.TokensPerSecond) : TimeSpan.Zero;
        encoder.Start(output, System.Text.Encoding.UTF8.GetBytes(id));
        foreach (var token in _encodedTokens)
        {
            if (await output.FlushAsync(cancellationToken) is { IsCompleted: true })
                return new ProviderResult(null, true, usage);
            if (pause > TimeSpan.Zero)
                await Task.Delay(pause, _time, cancellationToken);
            encoder.Text(output, 0, token);
        }
        encoder.Finish(output, 0, FinishReason.Stop);
        encoder.Done(output, usage);
        await output.FlushAsync(cancellationToken);
        return new ProviderResult(null, true, usage);
    }

    private void WriteCompletion(Utf8JsonWriter json, string id, long created, byte[] modelJson, in Usage usage)
    {
        WriteEnvelopeStart(json, id, created, modelJson, "chat.completion");
        json.WriteStartArray("choices"u8);
        json.WriteStartObject();
        json.WriteNumber("index"u8, 0);
        json.WriteStartObject("message"u8);
        json.WriteString("role"u8, "assistant"u8);
        json.WriteString("content"u8, _text);
        json.WriteNull("refusal"u8);
        json.WriteEndObject();
        json.WriteNull("logprobs"u8);
        json.WriteString("finish_reason"u8, "stop"u8);
        json.WriteEndObject();
        json.WriteEndArray();
        WriteUsage(json, usage);
        json.WriteEndObject();
    }

    private static void WriteEnvelopeStart(Utf8JsonWriter json, string id, long created, byte[] modelJson, string objectType)
    {
        json.WriteStartObject();
        json.WriteString("id"u8, id);
        json.WriteString("object"u8, objectType);
        json.WriteNumber("created"u8, created);
        json.WritePropertyName("model"u8);
        json.WriteRawValue(modelJson, skipInputValidation: true);
    }

    private static void WriteUsage(Utf8JsonWriter json, in Usage usage)
    {
        json.WriteStartObject("usage"u8);
        json.WriteNumber("prompt_tokens"u8, usage.PromptTokens);
        json.WriteNumber("completion_tokens"u8, usage.CompletionTokens);
        json.WriteNumber("total_tokens"u8, usage.TotalTokens);
        json.WriteEndObject();
    }
}

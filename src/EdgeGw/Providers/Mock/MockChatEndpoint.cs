using System.Buffers;
using System.Text.Json;
using EdgeGw.Config;
using EdgeGw.Json;

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
    private readonly string _text;
    private readonly TimeProvider _time;

    public MockChatEndpoint(Deployment deployment, TimeProvider time) : base(deployment)
    {
        _text = deployment.Mock.Response ?? DefaultResponse;
        _tokens = Tokenize(_text);
        _time = time;
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
        var created = _time.GetUtcNow().ToUnixTimeSeconds();
        var response = call.Http.Response;
        response.StatusCode = StatusCodes.Status200OK;
        var output = response.BodyWriter;

        if (!call.Request.Stream)
        {
            call.Accounting?.ReportUsage(usage);
            response.ContentType = "application/json";
            using var json = new Utf8JsonWriter(output, JsonOptions.Writer);
            WriteCompletion(json, id, created, call.Group.NameJson, usage);
            json.Flush();
            await output.FlushAsync(cancellationToken);
            return new ProviderResult(null, true, usage);
        }

        response.ContentType = "text/event-stream; charset=utf-8";
        response.Headers.CacheControl = "no-cache";
        var pause = mock.TokensPerSecond > 0 ? TimeSpan.FromSeconds(1 / mock.TokensPerSecond) : TimeSpan.Zero;
        using (var json = new Utf8JsonWriter(output, JsonOptions.Writer))
        {
            WriteChunk(json, output, id, created, call.Group.NameJson, role: true, content: "", finish: null);
            for (var i = 0; i < _tokens.Length; i++)
            {
                if (await output.FlushAsync(cancellationToken) is { IsCompleted: true })
                    return new ProviderResult(null, true, usage);
                if (pause > TimeSpan.Zero)
                    await Task.Delay(pause, _time, cancellationToken);
                WriteChunk(json, output, id, created, call.Group.NameJson, role: false, content: _tokens[i], finish: null);
            }
            WriteChunk(json, output, id, created, call.Group.NameJson, role: false, content: null, finish: "stop");
            if (call.Request.ClientWantsUsage)
            {
                output.Write("data: "u8);
                json.Reset(output);
                WriteEnvelopeStart(json, id, created, call.Group.NameJson, "chat.completion.chunk");
                json.WriteStartArray("choices"u8);
                json.WriteEndArray();
                WriteUsage(json, usage);
                json.WriteEndObject();
                json.Flush();
                output.Write("\n\n"u8);
            }
        }
        output.Write("data: [DONE]\n\n"u8);
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

    private static void WriteChunk(Utf8JsonWriter json, IBufferWriter<byte> output, string id, long created, byte[] modelJson, bool role, string? content, string? finish)
    {
        output.Write("data: "u8);
        json.Reset(output);
        WriteEnvelopeStart(json, id, created, modelJson, "chat.completion.chunk");
        json.WriteStartArray("choices"u8);
        json.WriteStartObject();
        json.WriteNumber("index"u8, 0);
        json.WriteStartObject("delta"u8);
        if (role)
            json.WriteString("role"u8, "assistant"u8);
        if (content is not null)
            json.WriteString("content"u8, content);
        json.WriteEndObject();
        json.WriteNull("logprobs"u8);
        if (finish is null)
            json.WriteNull("finish_reason"u8);
        else
            json.WriteString("finish_reason"u8, finish);
        json.WriteEndObject();
        json.WriteEndArray();
        json.WriteEndObject();
        json.Flush();
        output.Write("\n\n"u8);
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

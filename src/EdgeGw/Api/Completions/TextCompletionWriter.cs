using System.Runtime.InteropServices;
using System.Text.Json;
using EdgeGw.Buffers;
using EdgeGw.Json;
using EdgeGw.Providers;

namespace EdgeGw.Api.Completions;

/// <summary>
/// A bridged model's non-streamed answer (an OpenAI <c>chat.completion</c>, as every adapter
/// produces) rewritten as the legacy <c>text_completion</c> object: each choice's message content
/// becomes its <c>text</c>; id, created, model and usage carry over.
/// </summary>
internal static class TextCompletionWriter
{
    public static async ValueTask<ProviderResult> WriteAsync(ChatCall call, ReadOnlyMemory<byte> chatCompletion, Usage usage)
    {
        using var output = new PooledBufferWriter(chatCompletion.Length + 128);
        if (!TryWrite(chatCompletion, call.Group.NameJson, output))
            return ProviderResult.Failed(new GatewayError(502, "The deployment's answer could not be translated.", "api_error", "502"));
        call.Accounting?.ReportUsage(usage);
        var response = call.Http.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json";
        response.ContentLength = output.WrittenCount;
        await response.Body.WriteAsync(output.WrittenMemory, call.Http.RequestAborted);
        return new ProviderResult(null, true, usage);
    }

    public static bool TryWrite(ReadOnlyMemory<byte> chatCompletion, byte[] modelJson, IBufferWriter<byte> output)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(chatCompletion);
        }
        catch (JsonException)
        {
            return false;
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("choices"u8, out var choices) || choices.ValueKind != JsonValueKind.Array)
                return false;
            output.Write("{\"id\":\"cmpl-"u8);
            Span<byte> hex = stackalloc byte[32];
            Guid.NewGuid().TryFormat(hex, out var written, "N");
            output.Write(hex[..written]);
            output.Write("\",\"object\":\"text_completion\",\"created\":"u8);
            UsageJson.WriteNumber(output, root.TryGetProperty("created"u8, out var created) && created.TryGetInt64(out var at) ? at : 0);
            output.Write(",\"model\":"u8);
            output.Write(modelJson);
            output.Write(",\"choices\":["u8);
            var i = 0;
            foreach (var choice in choices.EnumerateArray())
            {
                if (i > 0)
                    output.Write(","u8);
                output.Write("{\"text\":"u8);
                output.Write(choice.TryGetProperty("message"u8, out var message) && message.TryGetProperty("content"u8, out var content)
                        && content.ValueKind == JsonValueKind.String
                    ? JsonMarshal.GetRawUtf8Value(content)
                    : "\"\""u8);
                output.Write(",\"index\":"u8);
                UsageJson.WriteNumber(output, choice.TryGetProperty("index"u8, out var index) && index.TryGetInt32(out var n) ? n : i);
                output.Write(",\"logprobs\":null,\"finish_reason\":"u8);
                output.Write(choice.TryGetProperty("finish_reason"u8, out var finish) && finish.ValueKind == JsonValueKind.String
                    // A text completion has no tool calls: a model that wanted one simply stopped.
                    ? finish.ValueEquals("tool_calls"u8) ? "\"stop\""u8 : JsonMarshal.GetRawUtf8Value(finish)
                    : "null"u8);
                output.Write("}"u8);
                i++;
            }
            output.Write("]"u8);
            if (root.TryGetProperty("usage"u8, out var usage) && usage.ValueKind == JsonValueKind.Object)
            {
                output.Write(",\"usage\":"u8);
                output.Write(JsonMarshal.GetRawUtf8Value(usage));
            }
            output.Write("}"u8);
            return true;
        }
    }
}

using System.Runtime.CompilerServices;
using EdgeGw.Api.Messages;
using EdgeGw.Buffers;
using EdgeGw.Json;
using EdgeGw.Providers;

namespace EdgeGw.Api;

/// <summary>
/// Writes a finished, non-streamed answer in the client's format. Adapters produce an OpenAI
/// <c>chat.completion</c> (already carrying the client's model name); an Anthropic-format client
/// gets it translated into a Messages <c>message</c>, a Responses-format client into a Response object.
/// </summary>
internal static class CompletionWriter
{
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public static async ValueTask<ProviderResult> WriteAsync(ChatCall call, ReadOnlyMemory<byte> openAiCompletion, Usage usage)
    {
        if (FilteredAnswer.Check(call, openAiCompletion.Span, call.Group.Name) is { } blocked)
            return ProviderResult.Failed(blocked);
        // Adapters that translated the answer already put the client's model name in it.
        Observability.Otel.GenAiAnswer.FromOpenAi(openAiCompletion.Span, withModel: false);
        var response = call.Http.Response;
        if (call.Format == ClientFormat.OpenAi)
        {
            call.Accounting?.ReportUsage(usage);
            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = "application/json";
            response.ContentLength = openAiCompletion.Length;
            await response.Body.WriteAsync(openAiCompletion, call.Http.RequestAborted);
            return new ProviderResult(null, true, usage);
        }
        if (call.Format == ClientFormat.TextCompletion)
            return await Completions.TextCompletionWriter.WriteAsync(call, openAiCompletion, usage);

        using var message = new PooledBufferWriter(openAiCompletion.Length + 256);
        var translated = call.Format == ClientFormat.Responses
            ? Responses.ResponsesResponseWriter.TryWrite(openAiCompletion.Span, call.ResponsesHead!, message, out var parsedUsage)
            : AnthropicResponseWriter.TryWrite(openAiCompletion.Span, call.Group.NameJson, message, out parsedUsage);
        if (!translated)
            return ProviderResult.Failed(new GatewayError(502, "The deployment's answer could not be translated.", "api_error", "502"));
        call.Accounting?.ReportUsage(usage.Present ? usage : parsedUsage);
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json";
        response.ContentLength = message.WrittenCount;
        await response.Body.WriteAsync(message.WrittenMemory, call.Http.RequestAborted);
        call.ResponsesTurn?.Completed(message.WrittenSpan);
        return new ProviderResult(null, true, usage.Present ? usage : parsedUsage);
    }
}

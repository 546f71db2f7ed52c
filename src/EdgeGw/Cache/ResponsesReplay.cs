using System.Buffers;
using System.Text.Json;
using EdgeGw.Api.Responses;
using EdgeGw.Buffers;
using EdgeGw.Json;
using EdgeGw.Streaming;

namespace EdgeGw.Cache;

/// <summary>
/// A cached Response object answering a new Responses request: as JSON under the request's own
/// fresh <c>id</c> and <c>created_at</c> (a client may key on them), or as a stream through
/// <see cref="ResponsesEventEncoder"/>, so a hit has exactly a live stream's event grammar.
/// </summary>
internal static class ResponsesReplay
{
    /// <summary>The stored Response with its top-level <c>id</c>, <c>created_at</c> and <c>model</c> (a stream's may be the upstream's) replaced by <paramref name="head"/>'s.</summary>
    public static PooledBufferWriter Refresh(ReadOnlySpan<byte> stored, ResponsesStreamHead head)
    {
        var output = new PooledBufferWriter(stored.Length + 64);
        var reader = new Utf8JsonReader(stored);
        var copied = 0;
        if (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
        {
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var field = reader.ValueTextEquals("id"u8) ? 1 : reader.ValueTextEquals("created_at"u8) ? 2 : reader.ValueTextEquals("model"u8) ? 3 : 0;
                reader.Read();
                var valueStart = (int)reader.TokenStartIndex;
                reader.Skip();
                if (field == 0)
                    continue;
                output.Write(stored[copied..valueStart]);
                if (field == 1)
                    output.Write(head.ResponseIdJson);
                else if (field == 2)
                    UsageJson.WriteNumber(output, head.CreatedAt);
                else
                    output.Write(head.ModelJson);
                copied = (int)reader.BytesConsumed;
            }
        }
        output.Write(stored[copied..]);
        return output;
    }

    /// <summary>The stored Response's output items as canonical stream events, in order; returns its usage.</summary>
    public static Usage Events<TEncoder>(JsonElement root, TEncoder encoder, IBufferWriter<byte> output)
        where TEncoder : IChatStreamEncoder
    {
        var tool = 0;
        var finish = FinishReason.Stop;
        foreach (var item in root.GetProperty("output").EnumerateArray())
        {
            var type = item.GetProperty("type");
            if (type.ValueEquals("message"u8))
            {
                foreach (var part in item.GetProperty("content").EnumerateArray())
                {
                    if (part.GetProperty("type").ValueEquals("output_text"u8))
                        encoder.Text(output, 0, StreamReplay.Content(part, "text"));
                }
            }
            else if (type.ValueEquals("reasoning"u8) && item.TryGetProperty("summary", out var summary) && summary.ValueKind == JsonValueKind.Array)
            {
                foreach (var part in summary.EnumerateArray())
                    encoder.Reasoning(output, 0, StreamReplay.Content(part, "text"));
            }
            else if (type.ValueEquals("function_call"u8))
            {
                encoder.ToolCallStart(output, 0, tool, StreamReplay.Content(item, "call_id"), StreamReplay.Content(item, "name"));
                encoder.ToolArguments(output, 0, tool, StreamReplay.Content(item, "arguments"));
                tool++;
                finish = FinishReason.ToolCalls;
            }
        }
        if (root.TryGetProperty("incomplete_details", out var incomplete) && incomplete.ValueKind == JsonValueKind.Object)
            finish = incomplete.TryGetProperty("reason", out var reason) && reason.ValueEquals("content_filter"u8) ? FinishReason.ContentFilter : FinishReason.Length;
        encoder.Finish(output, 0, finish);
        var usage = new Usage();
        if (root.TryGetProperty("usage", out var u) && u.ValueKind == JsonValueKind.Object)
        {
            usage.Present = true;
            usage.PromptTokens = StreamReplay.Number(u, "input_tokens");
            usage.CompletionTokens = StreamReplay.Number(u, "output_tokens");
            if (u.TryGetProperty("input_tokens_details", out var input) && input.ValueKind == JsonValueKind.Object)
                usage.CachedTokens = StreamReplay.Number(input, "cached_tokens");
            if (u.TryGetProperty("output_tokens_details", out var outputDetails) && outputDetails.ValueKind == JsonValueKind.Object)
                usage.ReasoningTokens = StreamReplay.Number(outputDetails, "reasoning_tokens");
        }
        return usage;
    }

    /// <summary>
    /// The Response a finished Responses stream ends with (the <c>response</c> of its
    /// <c>response.completed</c> or <c>response.incomplete</c> event), or null when it has none.
    /// </summary>
    public static byte[]? Assemble(ReadOnlyMemory<byte> sse)
    {
        var span = sse.Span;
        // The final event is the last one: search from the end for its data line.
        var at = span.LastIndexOf("\ndata: "u8);
        if (at < 0)
            return null;
        var data = span[(at + 7)..];
        var end = data.IndexOf((byte)'\n');
        if (end >= 0)
            data = data[..end];
        try
        {
            using var document = JsonDocument.Parse(sse.Slice(at + 7, data.Length));
            var root = document.RootElement;
            if (!root.TryGetProperty("type", out var type) || !(type.ValueEquals("response.completed"u8) || type.ValueEquals("response.incomplete"u8))
                || !root.TryGetProperty("response", out var response) || response.ValueKind != JsonValueKind.Object)
                return null;
            return System.Runtime.InteropServices.JsonMarshal.GetRawUtf8Value(response).ToArray();
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

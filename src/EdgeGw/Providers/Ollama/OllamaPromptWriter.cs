using System.Text.Json;
using EdgeGw.Api;
using EdgeGw.Json;

namespace EdgeGw.Providers.Ollama;

/// <summary>
/// OpenAI <c>messages</c> → one <c>/api/generate</c> <c>prompt</c> (+ <c>images</c>), the way LiteLLM's
/// <c>ollama_pt</c> builds it: runs of user/tool messages become <c>### User:</c>, system (and
/// developer) messages <c>### System:</c>, assistant messages <c>### Assistant:</c> with any tool
/// calls listed as JSON; each section ends in a blank line. The prompt is written piece by piece as
/// the client escaped it (<see cref="JsonStringPieces"/>): never decoded, never held whole twice.
/// </summary>
internal static class OllamaPromptWriter
{
    private static readonly JsonWriterOptions Indented = new() { Indented = true };
    // Escaped as they appear inside the JSON string.
    private static readonly byte[] UserHeading = "### User:\\n"u8.ToArray();
    private static readonly byte[] SystemHeading = "### System:\\n"u8.ToArray();
    private static readonly byte[] AssistantHeading = "### Assistant:\\n"u8.ToArray();

    /// <summary>Writes <c>prompt</c> and <c>images</c>; <paramref name="output"/> is the one <paramref name="writer"/> writes to.</summary>
    public static GatewayError? Write(Utf8JsonWriter writer, IBufferWriter<byte> output, RawJson messages)
    {
        var list = new List<(RawJson Message, string? Role)>();
        foreach (var message in messages.EnumerateArray())
            list.Add((message, OllamaContent.Role(message)));
        var images = new List<ReadOnlyMemory<byte>>();
        var prompt = JsonStringPieces.Start(writer, output, "prompt"u8);
        var at = 0;
        while (at < list.Count)
        {
            var start = at;
            var error = Section(prompt, UserHeading, list, ref at, r => r is "user" or "tool" or "function", images)
                ?? Section(prompt, SystemHeading, list, ref at, r => r is "system" or "developer", null)
                ?? Section(prompt, AssistantHeading, list, ref at, r => r is "assistant", null);
            if (error is not null)
                return error;
            if (at == start)
                return OllamaContent.Invalid($"Unsupported message role '{list[at].Role}'.");
        }
        prompt.End();

        if (images.Count > 0)
        {
            writer.WriteStartArray("images"u8);
            foreach (var image in images)
                writer.WriteStringValue(image.Span);
            writer.WriteEndArray();
        }
        return null;
    }

    /// <summary>The run of messages from <paramref name="at"/> whose role <paramref name="matches"/>, under its heading (left out when the run has no text).</summary>
    private static GatewayError? Section(JsonStringPieces prompt, byte[] heading, List<(RawJson Message, string? Role)> list, ref int at,
        Func<string?, bool> matches, List<ReadOnlyMemory<byte>>? images)
    {
        var before = prompt.Written;
        prompt.Pending = heading;
        for (; at < list.Count && matches(list[at].Role); at++)
        {
            var (message, role) = list[at];
            message.TryGetProperty("content"u8, out var content);
            var error = OllamaContent.Read(content, role!, images, prompt);
            if (error is null && role == "assistant")
                error = AppendToolCalls(message, prompt);
            if (error is not null)
                return error;
        }
        prompt.Pending = null;
        if (prompt.Written > before)
            prompt.Escaped("\\n\\n"u8);
        return null;
    }

    private static GatewayError? AppendToolCalls(RawJson message, JsonStringPieces prompt)
    {
        if (!message.TryGetProperty("tool_calls"u8, out var calls) || calls.ValueKind != JsonValueKind.Array || calls.GetArrayLength() == 0)
            return null;
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer, Indented))
        {
            json.WriteStartArray();
            foreach (var call in calls.EnumerateArray())
            {
                if (call.ValueKind != JsonValueKind.Object || !call.TryGetProperty("function"u8, out var function) || function.ValueKind != JsonValueKind.Object)
                    return OllamaContent.Invalid("An assistant tool call needs a 'function'.");
                json.WriteStartObject();
                if (call.TryGetProperty("id"u8, out var id))
                {
                    json.WritePropertyName("id"u8);
                    id.WriteTo(json);
                }
                json.WriteString("type"u8, "function"u8);
                json.WriteStartObject("function"u8);
                var hasName = function.TryGetProperty("name"u8, out var name);
                if (hasName)
                {
                    json.WritePropertyName("name"u8);
                    name.WriteTo(json);
                }
                json.WritePropertyName("arguments"u8);
                using var functionDocument = JsonDocument.Parse(function.Raw);
                var error = ToolCallArguments.Write(json, functionDocument.RootElement, hasName && name.ValueKind == JsonValueKind.String ? name.GetString()! : "");
                if (error is not null)
                    return error;
                json.WriteEndObject();
                json.WriteEndObject();
            }
            json.WriteEndArray();
        }
        prompt.Text("Tool Calls: "u8);
        prompt.Text(buffer.WrittenSpan);
        return null;
    }
}

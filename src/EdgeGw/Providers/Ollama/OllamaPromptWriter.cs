using System.Text;
using System.Text.Json;
using EdgeGw.Api;

namespace EdgeGw.Providers.Ollama;

/// <summary>
/// OpenAI <c>messages</c> → one <c>/api/generate</c> <c>prompt</c> (+ <c>images</c>), the way LiteLLM's
/// <c>ollama_pt</c> builds it: runs of user/tool messages become <c>### User:</c>, system (and
/// developer) messages <c>### System:</c>, assistant messages <c>### Assistant:</c> with any tool
/// calls listed as JSON; each section ends in a blank line.
/// </summary>
internal static class OllamaPromptWriter
{
    private static readonly JsonWriterOptions Indented = new() { Indented = true };

    public static GatewayError? Write(Utf8JsonWriter writer, JsonElement messages)
    {
        var list = messages.EnumerateArray().ToList();
        var prompt = new StringBuilder();
        var images = new List<string>();
        var section = new StringBuilder();
        var at = 0;
        while (at < list.Count)
        {
            var start = at;
            section.Clear();
            for (; at < list.Count && OllamaContent.Role(list[at]) is "user" or "tool" or "function"; at++)
            {
                var error = Append(list[at], images, section);
                if (error is not null)
                    return error;
            }
            AppendSection(prompt, "### User:\n", section);
            for (; at < list.Count && OllamaContent.Role(list[at]) is "system" or "developer"; at++)
            {
                var error = Append(list[at], null, section);
                if (error is not null)
                    return error;
            }
            AppendSection(prompt, "### System:\n", section);
            for (; at < list.Count && OllamaContent.Role(list[at]) is "assistant"; at++)
            {
                var error = Append(list[at], null, section) ?? AppendToolCalls(list[at], section);
                if (error is not null)
                    return error;
            }
            AppendSection(prompt, "### Assistant:\n", section);
            if (at == start)
                return OllamaContent.Invalid($"Unsupported message role '{OllamaContent.Role(list[at])}'.");
        }

        writer.WriteString("prompt"u8, prompt.ToString());
        if (images.Count > 0)
        {
            writer.WriteStartArray("images"u8);
            foreach (var image in images)
                writer.WriteStringValue(image);
            writer.WriteEndArray();
        }
        return null;
    }

    private static GatewayError? Append(JsonElement message, List<string>? images, StringBuilder section)
    {
        message.TryGetProperty("content", out var content);
        var error = OllamaContent.Read(content, OllamaContent.Role(message)!, images, out var text);
        section.Append(text);
        return error;
    }

    private static void AppendSection(StringBuilder prompt, string heading, StringBuilder section)
    {
        if (section.Length == 0)
            return;
        prompt.Append(heading).Append(section).Append("\n\n");
        section.Clear();
    }

    private static GatewayError? AppendToolCalls(JsonElement message, StringBuilder section)
    {
        if (!message.TryGetProperty("tool_calls", out var calls) || calls.ValueKind != JsonValueKind.Array || calls.GetArrayLength() == 0)
            return null;
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer, Indented))
        {
            json.WriteStartArray();
            foreach (var call in calls.EnumerateArray())
            {
                if (call.ValueKind != JsonValueKind.Object || !call.TryGetProperty("function", out var function) || function.ValueKind != JsonValueKind.Object)
                    return OllamaContent.Invalid("An assistant tool call needs a 'function'.");
                json.WriteStartObject();
                if (call.TryGetProperty("id", out var id))
                {
                    json.WritePropertyName("id"u8);
                    id.WriteTo(json);
                }
                json.WriteString("type"u8, "function"u8);
                json.WriteStartObject("function"u8);
                if (function.TryGetProperty("name", out var name))
                {
                    json.WritePropertyName("name"u8);
                    name.WriteTo(json);
                }
                json.WritePropertyName("arguments"u8);
                var error = ToolCallArguments.Write(json, function, name.ValueKind == JsonValueKind.String ? name.GetString()! : "");
                if (error is not null)
                    return error;
                json.WriteEndObject();
                json.WriteEndObject();
            }
            json.WriteEndArray();
        }
        section.Append("Tool Calls: ").Append(Encoding.UTF8.GetString(buffer.WrittenSpan));
        return null;
    }
}

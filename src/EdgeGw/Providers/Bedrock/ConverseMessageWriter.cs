using System.Text.Json;
using EdgeGw.Json;

namespace EdgeGw.Providers.Bedrock;

/// <summary>
/// OpenAI <c>messages</c> → Converse <c>messages</c> and <c>system</c>: system/developer text is lifted
/// into <c>system</c> blocks; <c>tool</c> messages become <c>toolResult</c> blocks of a user turn (first
/// in it, as Claude requires); an assistant turn carries its reasoning, then its text, then its
/// <c>toolUse</c> blocks; consecutive turns of one role are merged, since Bedrock requires user and
/// assistant to alternate. Read in place (<see cref="RawJson"/>): text is copied as the client escaped it.
/// </summary>
internal static class ConverseMessageWriter
{
    /// <summary>Writes <c>messages</c> and <c>system</c>; true when the history holds tool calls or results (Bedrock then needs a toolConfig).</summary>
    public static bool Write(Utf8JsonWriter json, RawJson messages)
    {
        if (messages.ValueKind != JsonValueKind.Array)
            throw new ConverseRequestException("'messages' must be an array of message objects.", "messages");
        var system = new List<(RawJson, int)>();
        var turns = ChatTurns.Group(messages, system, static (role, i) => new ConverseRequestException(
            $"messages[{i}].role must be one of system, developer, user, assistant, tool; got '{role}'.", $"messages[{i}].role"), "function");
        var hasToolBlocks = turns.Any(t => t.Messages.Any(m => IsToolResult(m.Message) || HasItems(m.Message, "tool_calls"u8)));
        if (turns.Count == 0)
            throw new ConverseRequestException("bedrock needs at least one user message besides the system messages.", "messages");

        json.WriteStartArray("messages"u8);
        foreach (var turn in turns)
            WriteTurn(json, turn);
        json.WriteEndArray();
        WriteSystem(json, system);
        return hasToolBlocks;
    }

    private static void WriteSystem(Utf8JsonWriter json, List<(RawJson Message, int Index)> system)
    {
        if (system.Count == 0)
            return;
        json.WriteStartArray("system"u8);
        foreach (var (message, index) in system)
        {
            message.TryGetProperty("content"u8, out var content);
            message.TryGetProperty("cache_control"u8, out var cacheControl);
            if (content.ValueKind == JsonValueKind.String)
                ConverseContentWriter.WriteText(json, content, cacheControl);
            else
                ConverseContentWriter.Write(json, content, $"messages[{index}].content", textOnly: true);
        }
        json.WriteEndArray();
    }

    private static void WriteTurn(Utf8JsonWriter json, ChatTurn turn)
    {
        json.WriteStartObject();
        json.WriteString("role"u8, turn.Role);
        json.WriteStartArray("content"u8);
        var any = false;
        foreach (var (message, index) in turn.Messages)
        {
            if (IsToolResult(message))
            {
                WriteToolResult(json, message, index);
                any = true;
            }
        }
        foreach (var (message, index) in turn.Messages)
        {
            if (turn.Role == "assistant")
                any |= WriteAssistant(json, message, index);
            else if (!IsToolResult(message))
            {
                message.TryGetProperty("content"u8, out var content);
                message.TryGetProperty("cache_control"u8, out var cacheControl);
                any |= content.ValueKind == JsonValueKind.String
                    ? ConverseContentWriter.WriteText(json, content, cacheControl)
                    : ConverseContentWriter.Write(json, content, $"messages[{index}].content", textOnly: false);
            }
        }
        if (!any)
            throw new ConverseRequestException(
                $"messages[{turn.Messages[0].Index}] has no content; bedrock rejects empty messages.", $"messages[{turn.Messages[0].Index}].content");
        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static bool IsToolResult(RawJson message) =>
        message.TryGetProperty("role"u8, out var r) && (r.ValueEquals("tool"u8) || r.ValueEquals("function"u8));

    private static bool HasItems(RawJson message, ReadOnlySpan<byte> name) =>
        message.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Array && value.GetArrayLength() > 0;

    private static void WriteToolResult(Utf8JsonWriter json, RawJson message, int index)
    {
        // A legacy function message has no call id: its name stands in, as the call it answers was sent with it.
        if (!(message.TryGetProperty("tool_call_id"u8, out var id) || message.TryGetProperty("name"u8, out id))
            || id.ValueKind != JsonValueKind.String || id.IsEmptyString)
            throw new ConverseRequestException($"messages[{index}] has role 'tool' but no 'tool_call_id'.", $"messages[{index}].tool_call_id");
        json.WriteStartObject();
        json.WriteStartObject("toolResult"u8);
        json.WritePropertyName("toolUseId"u8);
        id.WriteTo(json);
        json.WriteStartArray("content"u8);
        message.TryGetProperty("content"u8, out var content);
        if (!ConverseContentWriter.Write(json, content, $"messages[{index}].content", textOnly: false))
        {
            // Converse rejects a tool result without content, and blank text.
            json.WriteStartObject();
            json.WriteString("text"u8, "."u8);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static bool WriteAssistant(Utf8JsonWriter json, RawJson message, int index)
    {
        var any = WriteReasoning(json, message);
        message.TryGetProperty("content"u8, out var content);
        any |= ConverseContentWriter.Write(json, content, $"messages[{index}].content", textOnly: false);
        if (!message.TryGetProperty("tool_calls"u8, out var calls) || calls.ValueKind is JsonValueKind.Null)
            return any;
        if (calls.ValueKind != JsonValueKind.Array)
            throw new ConverseRequestException($"messages[{index}].tool_calls must be an array.", $"messages[{index}].tool_calls");
        var j = 0;
        foreach (var call in calls.EnumerateArray())
        {
            WriteToolUse(json, call, $"messages[{index}].tool_calls[{j}]");
            any = true;
            j++;
        }
        return any;
    }

    /// <summary>LiteLLM's <c>thinking_blocks</c> go back as <c>reasoningContent</c>, signature intact (Claude checks it).</summary>
    private static bool WriteReasoning(Utf8JsonWriter json, RawJson message)
    {
        if (!message.TryGetProperty("thinking_blocks"u8, out var blocks) || blocks.ValueKind != JsonValueKind.Array)
            return false;
        var any = false;
        foreach (var block in blocks.EnumerateArray())
        {
            if (block.ValueKind != JsonValueKind.Object || !block.TryGetProperty("type"u8, out var type))
                continue;
            if (type.ValueEquals("thinking"u8) && block.TryGetProperty("thinking"u8, out var text) && text.ValueKind == JsonValueKind.String)
            {
                json.WriteStartObject();
                json.WriteStartObject("reasoningContent"u8);
                json.WriteStartObject("reasoningText"u8);
                json.WritePropertyName("text"u8);
                text.WriteTo(json);
                if (block.TryGetProperty("signature"u8, out var signature) && signature.ValueKind == JsonValueKind.String)
                {
                    json.WritePropertyName("signature"u8);
                    signature.WriteTo(json);
                }
                json.WriteEndObject();
                json.WriteEndObject();
                json.WriteEndObject();
                any = true;
            }
            else if (type.ValueEquals("redacted_thinking"u8) && block.TryGetProperty("data"u8, out var data) && data.ValueKind == JsonValueKind.String)
            {
                json.WriteStartObject();
                json.WriteStartObject("reasoningContent"u8);
                json.WritePropertyName("redactedContent"u8);
                data.WriteTo(json);
                json.WriteEndObject();
                json.WriteEndObject();
                any = true;
            }
        }
        return any;
    }

    private static void WriteToolUse(Utf8JsonWriter json, RawJson call, string path)
    {
        if (call.ValueKind != JsonValueKind.Object || !call.TryGetProperty("id"u8, out var id) || id.ValueKind != JsonValueKind.String)
            throw new ConverseRequestException($"{path} needs an 'id'.", $"{path}.id");
        if (!call.TryGetProperty("function"u8, out var function) || function.ValueKind != JsonValueKind.Object
            || !function.TryGetProperty("name"u8, out var name) || name.ValueKind != JsonValueKind.String)
            throw new ConverseRequestException($"{path} needs 'function.name'.", $"{path}.function.name");
        json.WriteStartObject();
        json.WriteStartObject("toolUse"u8);
        json.WritePropertyName("toolUseId"u8);
        id.WriteTo(json);
        json.WritePropertyName("name"u8);
        name.WriteTo(json);
        json.WritePropertyName("input"u8);
        using (var document = JsonDocument.Parse(function.Raw))
        {
            if (ToolCallArguments.Write(json, document.RootElement, name.GetString()!) is { } error)
                throw new ConverseRequestException(error.Message, $"{path}.function.arguments");
        }
        json.WriteEndObject();
        json.WriteEndObject();
    }
}

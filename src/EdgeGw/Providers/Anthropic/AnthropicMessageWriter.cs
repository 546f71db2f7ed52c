using System.Text.Json;
using EdgeGw.Json;

namespace EdgeGw.Providers.Anthropic;

/// <summary>
/// OpenAI <c>messages</c> → Anthropic top-level <c>system</c> plus alternating <c>messages</c>:
/// system/developer messages are lifted out, <c>tool</c> messages become <c>tool_result</c> blocks
/// of a user turn, and consecutive turns of one role are merged (Anthropic requires alternation).
/// Read in place (<see cref="RawJson"/>): text is copied as the client escaped it, never decoded.
/// </summary>
internal static class AnthropicMessageWriter
{
    public static void Write(Utf8JsonWriter json, RawJson messages)
    {
        if (messages.ValueKind != JsonValueKind.Array)
            throw new AnthropicRequestException("'messages' must be an array of message objects.", "messages");
        var system = new List<(RawJson, int)>();
        var turns = ChatTurns.Group(messages, system, static (role, i) => new AnthropicRequestException(
            $"messages[{i}].role must be one of system, developer, user, assistant, tool; got '{role}'.", $"messages[{i}].role"));
        WriteSystem(json, system);
        json.WriteStartArray("messages"u8);
        foreach (var turn in turns)
            WriteTurn(json, turn);
        json.WriteEndArray();
    }

    private static void WriteSystem(Utf8JsonWriter json, List<(RawJson Message, int Index)> system)
    {
        if (system.Count == 0)
            return;
        if (system.Count == 1 && system[0].Message.TryGetProperty("content"u8, out var only) && only.ValueKind == JsonValueKind.String)
        {
            json.WritePropertyName("system"u8);
            only.WriteTo(json);
            return;
        }
        json.WriteStartArray("system"u8);
        foreach (var (message, index) in system)
            AnthropicContentWriter.WriteContent(json, message, index, textOnly: true);
        json.WriteEndArray();
    }

    private static void WriteTurn(Utf8JsonWriter json, ChatTurn turn)
    {
        json.WriteStartObject();
        json.WriteString("role"u8, turn.Role);
        if (turn.Messages.Count == 1 && IsPlainText(turn.Messages[0].Message, out var text))
        {
            json.WritePropertyName("content"u8);
            text.WriteTo(json);
        }
        else
        {
            json.WritePropertyName("content"u8);
            json.WriteStartArray();
            // tool_result blocks must open the user turn, before any text.
            foreach (var (message, index) in turn.Messages)
            {
                if (IsRole(message, "tool"u8))
                    WriteToolResult(json, message, index);
            }
            foreach (var (message, index) in turn.Messages)
            {
                if (IsRole(message, "assistant"u8))
                    WriteAssistant(json, message, index);
                else if (!IsRole(message, "tool"u8))
                    AnthropicContentWriter.WriteContent(json, message, index, textOnly: false);
            }
            json.WriteEndArray();
        }
        json.WriteEndObject();
    }

    private static bool IsRole(RawJson message, ReadOnlySpan<byte> role) => message.TryGetProperty("role"u8, out var r) && r.ValueEquals(role);

    private static bool IsPlainText(RawJson message, out RawJson text)
    {
        text = default;
        if (IsRole(message, "tool"u8) || HasItems(message, "tool_calls"u8) || HasItems(message, "thinking_blocks"u8))
            return false;
        if (!message.TryGetProperty("content"u8, out var content) || content.ValueKind != JsonValueKind.String)
            return false;
        text = content;
        return true;
    }

    private static bool HasItems(RawJson message, ReadOnlySpan<byte> name) =>
        message.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Array && value.GetArrayLength() > 0;

    private static void WriteToolResult(Utf8JsonWriter json, RawJson message, int index)
    {
        if (!message.TryGetProperty("tool_call_id"u8, out var id) || id.ValueKind != JsonValueKind.String || id.IsEmptyString)
            throw new AnthropicRequestException($"messages[{index}] has role 'tool' but no 'tool_call_id'.", $"messages[{index}].tool_call_id");
        json.WriteStartObject();
        json.WriteString("type"u8, "tool_result"u8);
        json.WritePropertyName("tool_use_id"u8);
        id.WriteTo(json);
        message.TryGetProperty("content"u8, out var content);
        switch (content.ValueKind)
        {
            case JsonValueKind.String:
                json.WritePropertyName("content"u8);
                content.WriteTo(json);
                break;
            case JsonValueKind.Array:
                json.WriteStartArray("content"u8);
                AnthropicContentWriter.WriteContent(json, message, index, textOnly: false);
                json.WriteEndArray();
                break;
            case JsonValueKind.Null or JsonValueKind.Undefined:
                json.WriteString("content"u8, ""u8);
                break;
            default:
                throw new AnthropicRequestException($"messages[{index}].content must be a string or an array of content parts.", $"messages[{index}].content");
        }
        json.WriteEndObject();
    }

    private static void WriteAssistant(Utf8JsonWriter json, RawJson message, int index)
    {
        // Thinking blocks (LiteLLM's thinking_blocks) must go back unchanged, signature included.
        if (message.TryGetProperty("thinking_blocks"u8, out var thinking) && thinking.ValueKind == JsonValueKind.Array)
        {
            foreach (var block in thinking.EnumerateArray())
            {
                if (block.ValueKind == JsonValueKind.Object)
                    block.WriteTo(json);
            }
        }
        AnthropicContentWriter.WriteContent(json, message, index, textOnly: false);
        if (!message.TryGetProperty("tool_calls"u8, out var calls) || calls.ValueKind is JsonValueKind.Null)
            return;
        if (calls.ValueKind != JsonValueKind.Array)
            throw new AnthropicRequestException($"messages[{index}].tool_calls must be an array.", $"messages[{index}].tool_calls");
        var j = 0;
        foreach (var call in calls.EnumerateArray())
        {
            WriteToolUse(json, call, $"messages[{index}].tool_calls[{j}]");
            j++;
        }
    }

    private static void WriteToolUse(Utf8JsonWriter json, RawJson call, string path)
    {
        if (call.ValueKind != JsonValueKind.Object || !call.TryGetProperty("id"u8, out var id) || id.ValueKind != JsonValueKind.String)
            throw new AnthropicRequestException($"{path} needs an 'id'.", $"{path}.id");
        if (!call.TryGetProperty("function"u8, out var function) || function.ValueKind != JsonValueKind.Object
            || !function.TryGetProperty("name"u8, out var name) || name.ValueKind != JsonValueKind.String)
            throw new AnthropicRequestException($"{path} needs 'function.name'.", $"{path}.function.name");
        json.WriteStartObject();
        json.WriteString("type"u8, "tool_use"u8);
        json.WritePropertyName("id"u8);
        id.WriteTo(json);
        json.WritePropertyName("name"u8);
        name.WriteTo(json);
        json.WritePropertyName("input"u8);
        function.TryGetProperty("arguments"u8, out var arguments);
        WriteInput(json, arguments, $"{path}.function.arguments");
        json.WriteEndObject();
    }

    /// <summary>OpenAI's arguments are a JSON string; Anthropic's input is the object itself.</summary>
    private static void WriteInput(Utf8JsonWriter json, RawJson arguments, string path)
    {
        switch (arguments.ValueKind)
        {
            case JsonValueKind.Object:
                arguments.WriteTo(json);
                return;
            case JsonValueKind.Undefined or JsonValueKind.Null:
                json.WriteStartObject();
                json.WriteEndObject();
                return;
            case JsonValueKind.String:
                var text = arguments.GetString()!;
                if (string.IsNullOrWhiteSpace(text))
                {
                    json.WriteStartObject();
                    json.WriteEndObject();
                    return;
                }
                try
                {
                    using var parsed = JsonDocument.Parse(text);
                    if (parsed.RootElement.ValueKind != JsonValueKind.Object)
                        throw new AnthropicRequestException($"{path} must encode a JSON object.", path);
                    parsed.RootElement.WriteTo(json);
                }
                catch (JsonException e)
                {
                    throw new AnthropicRequestException($"{path} is not valid JSON: {e.Message}", path);
                }
                return;
            default:
                throw new AnthropicRequestException($"{path} must be a JSON string.", path);
        }
    }
}

using System.Text.Json;
using EdgeGw.Api;

namespace EdgeGw.Providers.Ollama;

/// <summary>
/// OpenAI <c>messages</c> → <c>/api/chat</c> messages: system/developer → <c>system</c>; image parts
/// → <c>images</c>; assistant <c>tool_calls</c> with their arguments parsed into objects;
/// <c>reasoning_content</c> → <c>thinking</c>; a tool result names its function (<c>tool_name</c>,
/// looked up from the call it answers) as Ollama's templates expect.
/// </summary>
internal sealed class OllamaMessagesWriter
{
    private readonly Utf8JsonWriter _writer;
    private readonly Dictionary<string, string> _callNames = new(StringComparer.Ordinal);
    private readonly List<string> _images = [];

    private OllamaMessagesWriter(Utf8JsonWriter writer) => _writer = writer;

    public static GatewayError? Write(Utf8JsonWriter writer, JsonElement messages)
    {
        var self = new OllamaMessagesWriter(writer);
        writer.WriteStartArray("messages"u8);
        foreach (var message in messages.EnumerateArray())
        {
            var error = self.Message(message);
            if (error is not null)
                return error;
        }
        writer.WriteEndArray();
        return null;
    }

    private GatewayError? Message(JsonElement message)
    {
        var role = OllamaContent.Role(message);
        var ollamaRole = role switch
        {
            "system" or "developer" => "system",
            "user" or "assistant" or "tool" => role,
            "function" => "tool",
            _ => null,
        };
        if (ollamaRole is null)
            return OllamaContent.Invalid($"Unsupported message role '{role}'.");
        message.TryGetProperty("content", out var content);
        _images.Clear();
        var error = OllamaContent.Read(content, role!, role == "user" ? _images : null, out var text);
        if (error is not null)
            return error;

        _writer.WriteStartObject();
        _writer.WriteString("role"u8, ollamaRole);
        _writer.WriteString("content"u8, text);
        if (_images.Count > 0)
        {
            _writer.WriteStartArray("images"u8);
            foreach (var image in _images)
                _writer.WriteStringValue(image);
            _writer.WriteEndArray();
        }
        error = role switch
        {
            "assistant" => Assistant(message),
            "tool" or "function" => ToolResult(message),
            _ => null,
        };
        if (error is not null)
            return error;
        _writer.WriteEndObject();
        return null;
    }

    private GatewayError? Assistant(JsonElement message)
    {
        if (message.TryGetProperty("reasoning_content", out var reasoning) && reasoning.ValueKind == JsonValueKind.String)
            _writer.WriteString("thinking"u8, reasoning.GetString());
        if (!message.TryGetProperty("tool_calls", out var calls) || calls.ValueKind == JsonValueKind.Null)
            return null;
        if (calls.ValueKind != JsonValueKind.Array)
            return OllamaContent.Invalid("'tool_calls' must be an array.");
        _writer.WriteStartArray("tool_calls"u8);
        foreach (var call in calls.EnumerateArray())
        {
            var error = ToolCall(call);
            if (error is not null)
                return error;
        }
        _writer.WriteEndArray();
        return null;
    }

    private GatewayError? ToolCall(JsonElement call)
    {
        if (call.ValueKind != JsonValueKind.Object || !call.TryGetProperty("function", out var function) || function.ValueKind != JsonValueKind.Object
            || !function.TryGetProperty("name", out var n) || n.ValueKind != JsonValueKind.String)
            return OllamaContent.Invalid("An assistant tool call needs function.name.");
        var name = n.GetString()!;
        _writer.WriteStartObject();
        if (call.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String)
        {
            _callNames[id.GetString()!] = name;
            _writer.WriteString("id"u8, id.GetString());
        }
        _writer.WriteStartObject("function"u8);
        _writer.WriteString("name"u8, name);
        _writer.WritePropertyName("arguments"u8);
        var error = ToolCallArguments.Write(_writer, function, name);
        if (error is not null)
            return error;
        _writer.WriteEndObject();
        _writer.WriteEndObject();
        return null;
    }

    private GatewayError? ToolResult(JsonElement message)
    {
        var id = message.TryGetProperty("tool_call_id", out var i) && i.ValueKind == JsonValueKind.String ? i.GetString() : null;
        var name = message.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString() : null;
        if (id is not null && _callNames.TryGetValue(id, out var called))
            name = called;
        if (name is not null)
            _writer.WriteString("tool_name"u8, name);
        if (id is not null)
            _writer.WriteString("tool_call_id"u8, id);
        return null;
    }
}

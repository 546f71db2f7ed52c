using System.Text.Json;
using EdgeGw.Api;
using EdgeGw.Json;

namespace EdgeGw.Providers.Ollama;

/// <summary>
/// OpenAI <c>messages</c> → <c>/api/chat</c> messages: system/developer → <c>system</c>; image parts
/// → <c>images</c>; assistant <c>tool_calls</c> with their arguments parsed into objects;
/// <c>reasoning_content</c> → <c>thinking</c>; a tool result names its function (<c>tool_name</c>,
/// looked up from the call it answers) as Ollama's templates expect. Read in place
/// (<see cref="RawJson"/>): text is copied as the client escaped it, never decoded.
/// </summary>
internal sealed class OllamaMessagesWriter
{
    private readonly Utf8JsonWriter _writer;
    private readonly IBufferWriter<byte> _output;
    private readonly Dictionary<string, string> _callNames = new(StringComparer.Ordinal);
    private readonly List<ReadOnlyMemory<byte>> _images = [];

    private OllamaMessagesWriter(Utf8JsonWriter writer, IBufferWriter<byte> output) => (_writer, _output) = (writer, output);

    /// <summary>Writes <c>messages</c>; <paramref name="output"/> is the one <paramref name="writer"/> writes to.</summary>
    public static GatewayError? Write(Utf8JsonWriter writer, IBufferWriter<byte> output, RawJson messages)
    {
        var self = new OllamaMessagesWriter(writer, output);
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

    private GatewayError? Message(RawJson message)
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
        message.TryGetProperty("content"u8, out var content);
        _images.Clear();

        _writer.WriteStartObject();
        _writer.WriteString("role"u8, ollamaRole);
        var text = JsonStringPieces.Start(_writer, _output, "content"u8);
        var error = OllamaContent.Read(content, role!, role == "user" ? _images : null, text);
        if (error is not null)
            return error;
        text.End();
        if (_images.Count > 0)
        {
            _writer.WriteStartArray("images"u8);
            foreach (var image in _images)
                _writer.WriteStringValue(image.Span);
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

    private GatewayError? Assistant(RawJson message)
    {
        if (message.TryGetProperty("reasoning_content"u8, out var reasoning) && reasoning.ValueKind == JsonValueKind.String)
        {
            _writer.WritePropertyName("thinking"u8);
            reasoning.WriteTo(_writer);
        }
        if (!message.TryGetProperty("tool_calls"u8, out var calls) || calls.ValueKind == JsonValueKind.Null)
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

    private GatewayError? ToolCall(RawJson call)
    {
        if (call.ValueKind != JsonValueKind.Object || !call.TryGetProperty("function"u8, out var function) || function.ValueKind != JsonValueKind.Object
            || !function.TryGetProperty("name"u8, out var n) || n.ValueKind != JsonValueKind.String)
            return OllamaContent.Invalid("An assistant tool call needs function.name.");
        var name = n.GetString()!;
        _writer.WriteStartObject();
        if (call.TryGetProperty("id"u8, out var id) && id.ValueKind == JsonValueKind.String)
        {
            var value = id.GetString()!;
            _callNames[value] = name;
            _writer.WriteString("id"u8, value);
        }
        _writer.WriteStartObject("function"u8);
        _writer.WriteString("name"u8, name);
        _writer.WritePropertyName("arguments"u8);
        using var functionDocument = JsonDocument.Parse(function.Raw);
        var error = ToolCallArguments.Write(_writer, functionDocument.RootElement, name);
        if (error is not null)
            return error;
        _writer.WriteEndObject();
        _writer.WriteEndObject();
        return null;
    }

    private GatewayError? ToolResult(RawJson message)
    {
        var id = message.TryGetProperty("tool_call_id"u8, out var i) && i.ValueKind == JsonValueKind.String ? i.GetString() : null;
        var name = message.TryGetProperty("name"u8, out var n) && n.ValueKind == JsonValueKind.String ? n.GetString() : null;
        if (id is not null && _callNames.TryGetValue(id, out var called))
            name = called;
        if (name is not null)
            _writer.WriteString("tool_name"u8, name);
        if (id is not null)
            _writer.WriteString("tool_call_id"u8, id);
        return null;
    }
}

using System.Text.Json;
using EdgeGw.Api;
using EdgeGw.Json;

namespace EdgeGw.Providers.Gemini;

/// <summary>
/// OpenAI <c>messages</c> → Gemini <c>contents</c> + <c>systemInstruction</c>. system/developer
/// text goes to <c>systemInstruction</c>; user → <c>user</c>, assistant → <c>model</c>; tool results
/// become <c>functionResponse</c> parts of a <c>user</c> turn; consecutive turns of one role are
/// merged, since Gemini expects user and model to alternate. Read in place (<see cref="RawJson"/>):
/// text is copied as the client escaped it, never decoded.
/// </summary>
internal sealed class GeminiContentsWriter
{
    private readonly Utf8JsonWriter _writer;
    private readonly List<RawJson> _system = [];
    private readonly Dictionary<string, string> _callNames = new(StringComparer.Ordinal);
    private string? _role;
    private int _turns;

    private GeminiContentsWriter(Utf8JsonWriter writer) => _writer = writer;

    public static GatewayError? Write(Utf8JsonWriter writer, RawJson messages)
    {
        var contents = new GeminiContentsWriter(writer);
        writer.WriteStartArray("contents");
        foreach (var message in messages.EnumerateArray())
        {
            var error = contents.Message(message);
            if (error is not null)
                return error;
        }
        if (contents._role is not null)
        {
            writer.WriteEndArray();
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
        if (contents._turns == 0)
            return Invalid("Gemini needs at least one user or assistant message with content.");
        if (contents._system.Count > 0)
        {
            writer.WriteStartObject("systemInstruction");
            writer.WriteStartArray("parts");
            foreach (var text in contents._system)
            {
                writer.WriteStartObject();
                writer.WritePropertyName("text");
                text.WriteTo(writer);
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
            writer.WriteEndObject();
        }
        return null;
    }

    private static GatewayError Invalid(string message) => GatewayError.BadRequest(message, "messages");

    /// <summary>Opens a part in a turn of <paramref name="role"/>, continuing the open turn when the role is the same.</summary>
    private void BeginPart(string role)
    {
        if (_role != role)
        {
            if (_role is not null)
            {
                _writer.WriteEndArray();
                _writer.WriteEndObject();
            }
            _writer.WriteStartObject();
            _writer.WriteString("role", role);
            _writer.WriteStartArray("parts");
            _role = role;
            _turns++;
        }
        _writer.WriteStartObject();
    }

    private GatewayError? Message(RawJson message)
    {
        var role = message.TryGetProperty("role"u8, out var r) && r.ValueKind == JsonValueKind.String ? r.GetString() : null;
        message.TryGetProperty("content"u8, out var content);
        switch (role)
        {
            case "system" or "developer":
                return SystemText(content);
            case "user":
                return UserContent(content);
            case "assistant":
                return Assistant(message, content);
            case "tool":
                var id = message.TryGetProperty("tool_call_id"u8, out var i) && i.ValueKind == JsonValueKind.String ? i.GetString()! : "";
                if (!_callNames.TryGetValue(id, out var name) && !TryName(message, out name))
                    return Invalid($"No earlier assistant tool call has the id '{id}' that a tool message answers.");
                return ToolResult(name, content);
            case "function":
                return TryName(message, out var functionName)
                    ? ToolResult(functionName, content)
                    : Invalid("A function message needs a 'name'.");
            default:
                return Invalid($"Unsupported message role '{role}'.");
        }
    }

    private static bool TryName(RawJson message, out string name)
    {
        name = message.TryGetProperty("name"u8, out var n) && n.ValueKind == JsonValueKind.String ? n.GetString()! : "";
        return name.Length > 0;
    }

    private GatewayError? SystemText(RawJson content)
    {
        if (content.ValueKind == JsonValueKind.String)
        {
            _system.Add(content);
            return null;
        }
        if (content.ValueKind != JsonValueKind.Array)
            return Invalid("A system message's content must be text.");
        foreach (var part in content.EnumerateArray())
        {
            if (!IsText(part, out var text))
                return Invalid("A system message's content must be text.");
            _system.Add(text);
        }
        return null;
    }

    private static bool IsText(RawJson part, out RawJson text)
    {
        text = default;
        if (part.ValueKind != JsonValueKind.Object || !part.TryGetProperty("type"u8, out var type)
            || type.ValueKind != JsonValueKind.String || !type.ValueEquals("text"u8)
            || !part.TryGetProperty("text"u8, out var t) || t.ValueKind != JsonValueKind.String)
            return false;
        text = t;
        return true;
    }

    private void TextPart(string role, RawJson text)
    {
        if (text.IsEmptyString)
            return; // Gemini rejects empty text parts
        BeginPart(role);
        _writer.WritePropertyName("text");
        text.WriteTo(_writer);
        _writer.WriteEndObject();
    }

    private GatewayError? UserContent(RawJson content)
    {
        if (content.ValueKind == JsonValueKind.String)
        {
            TextPart("user", content);
            return null;
        }
        if (content.ValueKind != JsonValueKind.Array)
            return Invalid("A user message's content must be a string or an array of content parts.");
        foreach (var part in content.EnumerateArray())
        {
            var type = part.ValueKind == JsonValueKind.Object && part.TryGetProperty("type"u8, out var t) && t.ValueKind == JsonValueKind.String
                ? t.GetString()
                : null;
            var error = type switch
            {
                "text" => IsText(part, out var text) ? TextOk("user", text) : Invalid("A text part needs a 'text' string."),
                "image_url" => Image(part),
                "input_audio" => Audio(part),
                "file" => File(part),
                _ => Invalid($"Gemini does not support content parts of type '{type}'."),
            };
            if (error is not null)
                return error;
        }
        return null;
    }

    private GatewayError? TextOk(string role, RawJson text)
    {
        TextPart(role, text);
        return null;
    }

    private GatewayError? Image(RawJson part)
    {
        var image = part.TryGetProperty("image_url"u8, out var i) ? i : default;
        var value = image.ValueKind switch
        {
            JsonValueKind.String => image,
            JsonValueKind.Object when image.TryGetProperty("url"u8, out var u) && u.ValueKind == JsonValueKind.String => u,
            _ => default,
        };
        if (value.ValueKind != JsonValueKind.String)
            return Invalid("An image_url part needs a 'url'.");
        var url = value.GetUtf8().Span;
        if (Utf8Text.StartsWithIgnoreCase(url, "http://"u8) || Utf8Text.StartsWithIgnoreCase(url, "https://"u8))
            return Invalid("Gemini cannot fetch images from http(s) URLs. Send the image inline as a data: URL (data:image/png;base64,...).");
        return InlineData(url, "image_url");
    }

    private GatewayError? File(RawJson part)
    {
        if (part.TryGetProperty("file"u8, out var file) && file.ValueKind == JsonValueKind.Object
            && file.TryGetProperty("file_data"u8, out var data) && data.ValueKind == JsonValueKind.String)
            return InlineData(data.GetUtf8().Span, "file");
        return Invalid("Gemini accepts file parts only as inline 'file_data' (a data: URL); uploaded file ids are not supported.");
    }

    private GatewayError? Audio(RawJson part)
    {
        if (!part.TryGetProperty("input_audio"u8, out var audio) || audio.ValueKind != JsonValueKind.Object
            || !audio.TryGetProperty("data"u8, out var data) || data.ValueKind != JsonValueKind.String
            || !audio.TryGetProperty("format"u8, out var format) || format.ValueKind != JsonValueKind.String)
            return Invalid("An input_audio part needs 'data' and 'format'.");
        WriteInline(System.Text.Encoding.UTF8.GetBytes("audio/" + format.GetString()), data.GetUtf8().Span);
        return null;
    }

    /// <summary><c>data:&lt;mime&gt;;base64,&lt;payload&gt;</c> → <c>inlineData {mimeType, data}</c>.</summary>
    private GatewayError? InlineData(ReadOnlySpan<byte> url, string kind)
    {
        var marker = Utf8Text.IndexOfIgnoreCase(url, ";base64,"u8);
        if (!Utf8Text.StartsWithIgnoreCase(url, "data:"u8) || marker < 5)
            return Invalid($"A {kind} part must be a base64 data: URL (data:<mime type>;base64,<data>).");
        WriteInline(url[5..marker], url[(marker + 8)..]);
        return null;
    }

    private void WriteInline(ReadOnlySpan<byte> mimeType, ReadOnlySpan<byte> data)
    {
        BeginPart("user");
        _writer.WriteStartObject("inlineData");
        _writer.WriteString("mimeType", mimeType);
        _writer.WriteString("data", data);
        _writer.WriteEndObject();
        _writer.WriteEndObject();
    }

    private GatewayError? Assistant(RawJson message, RawJson content)
    {
        if (content.ValueKind == JsonValueKind.String)
        {
            TextPart("model", content);
        }
        else if (content.ValueKind == JsonValueKind.Array)
        {
            foreach (var part in content.EnumerateArray())
            {
                if (IsText(part, out var text))
                    TextPart("model", text);
                else if (!(part.ValueKind == JsonValueKind.Object && part.TryGetProperty("type"u8, out var type)
                    && type.ValueKind == JsonValueKind.String && type.ValueEquals("refusal"u8)))
                    return Invalid("An assistant message's content parts must be text.");
            }
        }
        if (!message.TryGetProperty("tool_calls"u8, out var calls) || calls.ValueKind == JsonValueKind.Null)
            return null;
        if (calls.ValueKind != JsonValueKind.Array)
            return Invalid("'tool_calls' must be an array.");
        foreach (var call in calls.EnumerateArray())
        {
            var error = FunctionCall(call);
            if (error is not null)
                return error;
        }
        return null;
    }

    private GatewayError? FunctionCall(RawJson call)
    {
        if (call.ValueKind != JsonValueKind.Object || !call.TryGetProperty("function"u8, out var function) || function.ValueKind != JsonValueKind.Object
            || !function.TryGetProperty("name"u8, out var n) || n.ValueKind != JsonValueKind.String)
            return Invalid("An assistant tool call needs function.name.");
        var name = n.GetString()!;
        var id = call.TryGetProperty("id"u8, out var i) && i.ValueKind == JsonValueKind.String ? i.GetString() : null;
        if (id is not null)
            _callNames[id] = name;
        BeginPart("model");
        _writer.WriteStartObject("functionCall");
        _writer.WriteString("name", name);
        _writer.WritePropertyName("args");
        using var functionDocument = JsonDocument.Parse(function.Raw);
        var error = ToolCallArguments.Write(_writer, functionDocument.RootElement, name);
        if (error is not null)
            return error;
        _writer.WriteEndObject();
        if (GeminiToolCallIds.Signature(id) is { } signature)
            _writer.WriteString("thoughtSignature", signature);
        _writer.WriteEndObject();
        return null;
    }

    /// <summary>
    /// Gemini wants the result as an object: a JSON-object result goes as itself, anything else
    /// (plain text, arrays, numbers) as <c>{"content": "&lt;text&gt;"}</c>.
    /// </summary>
    private GatewayError? ToolResult(string name, RawJson content)
    {
        string text;
        if (content.ValueKind == JsonValueKind.String)
        {
            text = content.GetString()!;
        }
        else if (content.ValueKind == JsonValueKind.Array)
        {
            var joined = new System.Text.StringBuilder();
            foreach (var part in content.EnumerateArray())
            {
                if (!IsText(part, out var piece))
                    return Invalid("A tool message's content parts must be text.");
                joined.Append(piece.GetString());
            }
            text = joined.ToString();
        }
        else if (content.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined)
        {
            text = "";
        }
        else
        {
            return Invalid("A tool message's content must be text.");
        }

        BeginPart("user");
        _writer.WriteStartObject("functionResponse");
        _writer.WriteString("name", name);
        _writer.WritePropertyName("response");
        if (!TryWriteObject(text))
        {
            _writer.WriteStartObject();
            _writer.WriteString("content", text);
            _writer.WriteEndObject();
        }
        _writer.WriteEndObject();
        _writer.WriteEndObject();
        return null;
    }

    private bool TryWriteObject(string text)
    {
        var trimmed = text.AsSpan().TrimStart();
        if (trimmed.IsEmpty || trimmed[0] != '{')
            return false;
        try
        {
            using var doc = JsonDocument.Parse(text);
            doc.RootElement.WriteTo(_writer);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}

using System.Text;
using System.Text.Json;

namespace EdgeGw.Api.Responses;

/// <summary>
/// A Responses <c>input</c> (a string, or a list of items) → canonical chat <c>messages</c>.
/// Consecutive assistant text and <c>function_call</c> items become one assistant message with
/// its <c>tool_calls</c> (chat's shape); <c>function_call_output</c> items become <c>tool</c> messages.
/// </summary>
internal sealed class ResponsesInputWriter(Utf8JsonWriter json)
{
    private readonly StringBuilder _assistantText = new();
    private readonly List<JsonElement> _calls = [];
    private bool _assistantPending;

    /// <summary>Writes the messages of <paramref name="input"/>; call <see cref="Finish"/> after the last input.</summary>
    public void Write(JsonElement input, string path = "input")
    {
        if (input.ValueKind == JsonValueKind.String)
        {
            FlushAssistant();
            WriteMessage("user", input.GetString()!);
            return;
        }
        if (input.ValueKind != JsonValueKind.Array)
            throw new ResponsesRequestException(path, $"'{path}' must be a string or an array of input items.");
        var i = 0;
        foreach (var item in input.EnumerateArray())
            WriteItem(item, $"{path}[{i++}]");
    }

    public void Finish() => FlushAssistant();

    private void WriteItem(JsonElement item, string path)
    {
        if (item.ValueKind != JsonValueKind.Object)
            throw new ResponsesRequestException(path, $"{path} must be an object (an input item).");
        var type = item.TryGetProperty("type", out var t) ? t.ValueKind == JsonValueKind.String ? t.GetString() : null : "message";
        switch (type)
        {
            case "message":
                WriteMessageItem(item, path);
                break;
            case "function_call":
                _assistantPending = true;
                _calls.Add(item);
                Require(item, "call_id", path);
                Require(item, "name", path);
                break;
            case "function_call_output":
                FlushAssistant();
                json.WriteStartObject();
                json.WriteString("role"u8, "tool"u8);
                json.WriteString("tool_call_id"u8, Require(item, "call_id", path));
                json.WriteString("content"u8, item.TryGetProperty("output", out var output) ? OutputText(output, $"{path}.output") : "");
                json.WriteEndObject();
                break;
            case "reasoning":
                // The model's own record of a previous turn's reasoning: no other provider takes it back.
                break;
            case null:
                throw new ResponsesRequestException($"{path}.type", $"{path}.type must be a string.");
            default:
                throw new ResponsesRequestException($"{path}.type",
                    $"{path} is a '{type}' item; only message, function_call, function_call_output and reasoning items are supported on this deployment.");
        }
    }

    private void WriteMessageItem(JsonElement item, string path)
    {
        var role = item.TryGetProperty("role", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString() : null;
        if (role is not ("user" or "assistant" or "system" or "developer"))
            throw new ResponsesRequestException($"{path}.role", $"{path}.role must be one of 'user', 'assistant', 'system', 'developer'.");
        if (!item.TryGetProperty("content", out var content) || content.ValueKind is not (JsonValueKind.String or JsonValueKind.Array))
            throw new ResponsesRequestException($"{path}.content", $"{path}.content must be a string or an array of content parts.");
        if (role == "assistant")
        {
            _assistantPending = true;
            _assistantText.Append(content.ValueKind == JsonValueKind.String ? content.GetString() : Text(content, $"{path}.content"));
            return;
        }
        FlushAssistant();
        // developer is OpenAI's newer name for system; most providers only know system.
        if (role is "system" or "developer")
        {
            WriteMessage("system", content.ValueKind == JsonValueKind.String ? content.GetString()! : Text(content, $"{path}.content"));
            return;
        }
        if (content.ValueKind == JsonValueKind.String)
        {
            WriteMessage("user", content.GetString()!);
            return;
        }
        json.WriteStartObject();
        json.WriteString("role"u8, "user"u8);
        json.WriteStartArray("content"u8);
        var i = 0;
        foreach (var part in content.EnumerateArray())
            WriteUserPart(part, $"{path}.content[{i++}]");
        json.WriteEndArray();
        json.WriteEndObject();
    }

    private void WriteUserPart(JsonElement part, string path)
    {
        switch (PartType(part, path))
        {
            case "input_text" or "output_text" or "text":
                json.WriteStartObject();
                json.WriteString("type"u8, "text"u8);
                json.WriteString("text"u8, Require(part, "text", path));
                json.WriteEndObject();
                break;
            case "input_image":
                if (!part.TryGetProperty("image_url", out var url) || url.ValueKind != JsonValueKind.String)
                {
                    throw part.TryGetProperty("file_id", out _)
                        ? new ResponsesRequestException($"{path}.file_id", $"{path}.file_id: uploaded files are not supported on this deployment; send the image as image_url (a URL or a data: URL).")
                        : new ResponsesRequestException($"{path}.image_url", $"{path} needs 'image_url' (a URL or a data: URL).");
                }
                json.WriteStartObject();
                json.WriteString("type"u8, "image_url"u8);
                json.WriteStartObject("image_url"u8);
                json.WriteString("url"u8, url.GetString());
                if (part.TryGetProperty("detail", out var detail) && detail.ValueKind == JsonValueKind.String)
                    json.WriteString("detail"u8, detail.GetString());
                json.WriteEndObject();
                json.WriteEndObject();
                break;
            case var other:
                throw new ResponsesRequestException($"{path}.type", $"{path} is an '{other}' part; only input_text and input_image parts are supported on this deployment.");
        }
    }

    /// <summary>The text parts of a content list joined, for roles whose chat content is text only.</summary>
    private static string Text(JsonElement parts, string path)
    {
        var text = new StringBuilder();
        var i = 0;
        foreach (var part in parts.EnumerateArray())
        {
            var partPath = $"{path}[{i++}]";
            text.Append(PartType(part, partPath) switch
            {
                "input_text" or "output_text" or "text" => Require(part, "text", partPath),
                "refusal" => Require(part, "refusal", partPath),
                var other => throw new ResponsesRequestException($"{partPath}.type", $"{partPath} is an '{other}' part; this role takes text parts only."),
            });
        }
        return text.ToString();
    }

    /// <summary>A <c>function_call_output</c>'s output: a string, or a list of parts whose text is joined.</summary>
    private static string OutputText(JsonElement output, string path) => output.ValueKind switch
    {
        JsonValueKind.String => output.GetString()!,
        JsonValueKind.Array => Text(output, path),
        _ => throw new ResponsesRequestException(path, $"{path} must be a string or an array of content parts."),
    };

    private void FlushAssistant()
    {
        if (!_assistantPending)
            return;
        _assistantPending = false;
        json.WriteStartObject();
        json.WriteString("role"u8, "assistant"u8);
        if (_assistantText.Length > 0)
            json.WriteString("content"u8, _assistantText.ToString());
        else
            json.WriteNull("content"u8);
        if (_calls.Count > 0)
        {
            json.WriteStartArray("tool_calls"u8);
            foreach (var call in _calls)
            {
                json.WriteStartObject();
                json.WriteString("id"u8, call.GetProperty("call_id").GetString());
                json.WriteString("type"u8, "function"u8);
                json.WriteStartObject("function"u8);
                json.WriteString("name"u8, call.GetProperty("name").GetString());
                json.WriteString("arguments"u8, call.TryGetProperty("arguments", out var args) && args.ValueKind == JsonValueKind.String ? args.GetString() : "{}");
                json.WriteEndObject();
                json.WriteEndObject();
            }
            json.WriteEndArray();
        }
        json.WriteEndObject();
        _assistantText.Clear();
        _calls.Clear();
    }

    private void WriteMessage(string role, string content)
    {
        json.WriteStartObject();
        json.WriteString("role"u8, role);
        json.WriteString("content"u8, content);
        json.WriteEndObject();
    }

    private static string PartType(JsonElement part, string path) =>
        part.ValueKind == JsonValueKind.Object && part.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String
            ? type.GetString()!
            : throw new ResponsesRequestException($"{path}.type", $"{path} must be a content part with a 'type'.");

    private static string Require(JsonElement item, string name, string path) =>
        item.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()!
            : throw new ResponsesRequestException($"{path}.{name}", $"{path}.{name} is required (a string).");
}

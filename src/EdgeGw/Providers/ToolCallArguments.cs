using System.Text.Json;
using EdgeGw.Api;

namespace EdgeGw.Providers;

/// <summary>
/// An OpenAI tool call's <c>arguments</c> (a JSON string) written as the object that Gemini and
/// Ollama take; empty arguments are <c>{}</c>, anything but an object is the client's 400.
/// </summary>
internal static class ToolCallArguments
{
    /// <summary>Writes the arguments of <paramref name="function"/> as the writer's next value.</summary>
    public static GatewayError? Write(Utf8JsonWriter writer, JsonElement function, string name)
    {
        var arguments = function.TryGetProperty("arguments", out var a) && a.ValueKind == JsonValueKind.String ? a.GetString()! : "";
        if (string.IsNullOrWhiteSpace(arguments))
        {
            writer.WriteStartObject();
            writer.WriteEndObject();
            return null;
        }
        try
        {
            using var args = JsonDocument.Parse(arguments);
            if (args.RootElement.ValueKind != JsonValueKind.Object)
                return GatewayError.BadRequest($"The arguments of tool call '{name}' must be a JSON object.", "messages");
            args.RootElement.WriteTo(writer);
            return null;
        }
        catch (JsonException)
        {
            return GatewayError.BadRequest($"The arguments of tool call '{name}' are not valid JSON.", "messages");
        }
    }
}

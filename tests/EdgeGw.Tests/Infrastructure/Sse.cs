using System.Text;
using System.Text.Json;

namespace EdgeGw.Tests.Infrastructure;

/// <summary>Reads an SSE body the way the OpenAI and Anthropic SDKs do: events split on blank lines.</summary>
public static class Sse
{
    public sealed record Event(string? Name, string Data)
    {
        public JsonElement Json => JsonDocument.Parse(Data).RootElement;
    }

    public static IReadOnlyList<Event> Parse(string body)
    {
        var events = new List<Event>();
        foreach (var block in body.Replace("\r\n", "\n", StringComparison.Ordinal).Split("\n\n", StringSplitOptions.RemoveEmptyEntries))
        {
            string? name = null;
            var data = new StringBuilder();
            foreach (var line in block.Split('\n'))
            {
                if (line.StartsWith("event:", StringComparison.Ordinal))
                    name = line[6..].Trim();
                else if (line.StartsWith("data:", StringComparison.Ordinal))
                    data.Append(data.Length > 0 ? "\n" : "").Append(line[5..].TrimStart(' '));
            }
            if (data.Length > 0)
                events.Add(new Event(name, data.ToString()));
        }
        return events;
    }

    /// <summary>The OpenAI chunks (all data events but [DONE]).</summary>
    public static IReadOnlyList<JsonElement> Chunks(string body) =>
        Parse(body).Where(e => e.Data != "[DONE]").Select(e => e.Json).ToList();

    /// <summary>Concatenated <c>function.arguments</c> fragments of the first tool call in each chunk.</summary>
    public static string ToolArguments(string body) => string.Concat(Chunks(body)
        .SelectMany(c => c.GetProperty("choices").EnumerateArray())
        .Select(ch => ch.GetProperty("delta"))
        .Where(d => d.TryGetProperty("tool_calls", out _))
        .Select(d => d.GetProperty("tool_calls")[0].GetProperty("function"))
        .Where(f => f.TryGetProperty("arguments", out _))
        .Select(f => f.GetProperty("arguments").GetString()));

    /// <summary>Concatenated <c>delta.content</c> of choice 0.</summary>
    public static string Text(string body) => string.Concat(Chunks(body)
        .Where(c => c.TryGetProperty("choices", out var ch) && ch.GetArrayLength() > 0)
        .Select(c => c.GetProperty("choices")[0].GetProperty("delta"))
        .Where(d => d.TryGetProperty("content", out var t) && t.ValueKind == JsonValueKind.String)
        .Select(d => d.GetProperty("content").GetString()));
}

using System.Text.Json;
using EdgeGw.Tests.Infrastructure;

namespace EdgeGw.Tests.Cache;

/// <summary>
/// A stream reduced to what a client sees of its order: one step per event kind (role, content,
/// tool call, finish, usage, done; Anthropic's event names), consecutive deltas of one kind merged,
/// since a live stream sends text in many deltas and a replay in one.
/// </summary>
internal static class StreamShape
{
    public static string Of(string body)
    {
        var steps = new List<string>();
        foreach (var e in Sse.Parse(body))
        {
            var step = e.Name ?? OpenAiStep(e.Data);
            if (step == "content_block_delta")
                step += ":" + e.Json.GetProperty("delta").GetProperty("type").GetString();
            if (steps.Count == 0 || steps[^1] != step || !(step.Contains("delta", StringComparison.Ordinal) || step is "content" or "arguments"))
                steps.Add(step);
        }
        return string.Join(" ", steps);
    }

    private static string OpenAiStep(string data)
    {
        if (data == "[DONE]")
            return "done";
        var chunk = JsonDocument.Parse(data).RootElement;
        if (chunk.TryGetProperty("error", out _))
            return "error";
        var choices = chunk.GetProperty("choices");
        if (choices.GetArrayLength() == 0)
            return chunk.TryGetProperty("usage", out var u) && u.ValueKind == JsonValueKind.Object ? "usage" : "empty";
        var choice = choices[0];
        if (choice.TryGetProperty("finish_reason", out var f) && f.ValueKind == JsonValueKind.String)
            return "finish:" + f.GetString();
        var delta = choice.GetProperty("delta");
        if (delta.TryGetProperty("role", out _))
            return "role";
        if (delta.TryGetProperty("tool_calls", out var calls))
            return calls[0].TryGetProperty("id", out _) ? "tool_call" : "arguments";
        return delta.TryGetProperty("reasoning_content", out _) ? "reasoning" : "content";
    }

    /// <summary>The text of choice 0 (OpenAI) or of the text blocks (Anthropic).</summary>
    public static string Text(string body) => string.Concat(Sse.Parse(body).Select(e => e.Name switch
    {
        null when e.Data != "[DONE]" => Sse.Text("data: " + e.Data + "\n\n"),
        "content_block_delta" when e.Json.GetProperty("delta").TryGetProperty("text", out var t) => t.GetString(),
        _ => "",
    }));

    /// <summary>The tool arguments, whichever format carried them.</summary>
    public static string Arguments(string body) => Sse.Parse(body).All(e => e.Name is null) ? Sse.ToolArguments(body) : string.Concat(Sse.Parse(body)
        .Where(e => e.Name == "content_block_delta" && e.Json.GetProperty("delta").TryGetProperty("partial_json", out _))
        .Select(e => e.Json.GetProperty("delta").GetProperty("partial_json").GetString()));
}

using System.Text.Json;
using EdgeGw.Json;

namespace EdgeGw.Providers;

/// <summary>A run of consecutive OpenAI messages that go upstream as one turn of <see cref="Role"/>.</summary>
internal sealed class ChatTurn(string role)
{
    public string Role { get; } = role;
    /// <summary>The messages, with their index in the request (for error paths).</summary>
    public List<(RawJson Message, int Index)> Messages { get; } = [];
}

/// <summary>
/// OpenAI <c>messages</c> split the way providers that require user and assistant to alternate
/// (Anthropic, Bedrock) take them: system/developer messages lifted out, tool results counted as user,
/// consecutive messages of one role merged into one turn. Read in place (<see cref="RawJson"/>).
/// </summary>
internal static class ChatTurns
{
    /// <param name="badRole">The exception for a message whose role the provider does not take (role, index).</param>
    /// <param name="toolRoles">The roles besides <c>tool</c> whose messages carry tool results (<c>function</c> for Bedrock).</param>
    public static List<ChatTurn> Group(RawJson messages, List<(RawJson Message, int Index)> system, Func<string?, int, Exception> badRole, params string[] toolRoles)
    {
        var turns = new List<ChatTurn>();
        var i = 0;
        foreach (var message in messages.EnumerateArray())
        {
            var role = message.TryGetProperty("role"u8, out var r) && r.ValueKind == JsonValueKind.String ? r.GetString() : null;
            var target = role switch
            {
                "system" or "developer" => null,
                "user" or "tool" => "user",
                "assistant" => "assistant",
                _ when role is not null && Array.IndexOf(toolRoles, role) >= 0 => "user",
                _ => throw badRole(role, i),
            };
            if (target is null)
                system.Add((message, i));
            else
            {
                if (turns.Count == 0 || turns[^1].Role != target)
                    turns.Add(new ChatTurn(target));
                turns[^1].Messages.Add((message, i));
            }
            i++;
        }
        return turns;
    }
}

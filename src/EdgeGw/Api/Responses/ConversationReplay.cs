using System.Buffers;
using System.Text.Json;
using EdgeGw.Auth;

namespace EdgeGw.Api.Responses;

/// <summary>
/// The conversation behind a <c>previous_response_id</c>, for providers without server-side state:
/// every earlier turn's input items followed by its output items (as input items), oldest first.
/// The bridged translator prepends <see cref="ItemsJson"/> to the new turn's input; the router
/// prefers <see cref="Latest"/>'s deployment so the provider's prompt cache is hit.
/// </summary>
/// <param name="ItemsJson">A JSON array of input items; empty when <see cref="Error"/> is set or the previous turn is forwarded.</param>
/// <param name="Latest">The turn named by <c>previous_response_id</c>.</param>
internal sealed record ConversationReplay(ReadOnlyMemory<byte> ItemsJson, StoredResponse? Latest, GatewayError? Error)
{
    /// <summary>Turns walked back at most: a longer chain is answered with a 400 rather than an unbounded read.</summary>
    public const int MaxTurns = 500;

    /// <summary>Bytes of replayed items at most (the upstream would refuse a larger prompt anyway).</summary>
    public const int MaxBytes = 64 * 1024 * 1024;

    public static GatewayError NotFound(string id) =>
        new(400, $"Previous response with id '{id}' not found.", "invalid_request_error", "previous_response_not_found", "previous_response_id");

    /// <summary>
    /// Loads the chain ending at <paramref name="previousResponseId"/> as <paramref name="caller"/> sees it.
    /// A forwarded (pass-through) turn is returned without items: its upstream holds the conversation.
    /// </summary>
    public static async ValueTask<ConversationReplay> LoadAsync(IResponseStore store, string previousResponseId, Caller caller, CancellationToken ct)
    {
        var latest = await store.GetAsync(previousResponseId, ct);
        if (latest is null || !ResponseAccess.CanSee(latest, caller))
            return new ConversationReplay(default, null, NotFound(previousResponseId));
        if (latest.IsForwarded)
            return new ConversationReplay(default, latest, null);
        var turns = new List<StoredResponse> { latest };
        var size = (long)latest.InputItemsJson.Length + latest.ResponseJson.Length;
        for (var previous = latest.PreviousResponseId; previous is not null; previous = turns[^1].PreviousResponseId)
        {
            var turn = await store.GetAsync(previous, ct);
            // An expired or deleted ancestor ends the history there, as when OpenAI's retention drops it.
            if (turn is null || turn.IsForwarded || !ResponseAccess.CanSee(turn, caller))
                break;
            size += turn.InputItemsJson.Length + turn.ResponseJson.Length;
            if (turns.Count >= MaxTurns || size > MaxBytes)
                return new ConversationReplay(default, latest, GatewayError.BadRequest(
                    $"The conversation behind previous_response_id '{previousResponseId}' is longer than EdgeGw replays ({MaxTurns} turns, {MaxBytes / (1024 * 1024)} MB); start a new one.",
                    "previous_response_id"));
            turns.Add(turn);
        }
        return new ConversationReplay(Concatenate(turns), latest, null);
    }

    /// <summary>Turns newest first → one array of input items oldest first; reasoning items are left out (their content is provider-signed).</summary>
    internal static byte[] Concatenate(List<StoredResponse> newestFirst)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        using (var writer = new Utf8JsonWriter(buffer, Json.JsonOptions.Writer))
        {
            writer.WriteStartArray();
            for (var i = newestFirst.Count - 1; i >= 0; i--)
            {
                var turn = newestFirst[i];
                using (var input = JsonDocument.Parse(turn.InputItemsJson))
                {
                    foreach (var item in input.RootElement.EnumerateArray())
                        item.WriteTo(writer);
                }
                using var response = JsonDocument.Parse(turn.ResponseJson);
                if (!response.RootElement.TryGetProperty("output"u8, out var output) || output.ValueKind != JsonValueKind.Array)
                    continue;
                foreach (var item in output.EnumerateArray())
                {
                    if (item.TryGetProperty("type"u8, out var type) && type.ValueEquals("reasoning"u8))
                        continue;
                    item.WriteTo(writer);
                }
            }
            writer.WriteEndArray();
        }
        return buffer.WrittenSpan.ToArray();
    }
}

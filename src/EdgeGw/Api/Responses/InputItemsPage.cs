using System.Buffers;
using System.Globalization;
using System.Text.Json;

namespace EdgeGw.Api.Responses;

/// <summary>
/// <c>GET /v1/responses/{id}/input_items</c> for a bridged response, in OpenAI's list shape:
/// <c>{"object":"list","data":[…],"first_id","last_id","has_more"}</c>, with <c>limit</c> (1–100,
/// default 20), <c>order</c> (<c>desc</c> by default, as OpenAI) and <c>after</c> (an item id).
/// Items are listed as OpenAI lists them: each with an id (kept, or a stable one made from the
/// response id and position) and a message's string content as one <c>input_text</c> part.
/// </summary>
internal static class InputItemsPage
{
    public const int DefaultLimit = 20;
    public const int MaxLimit = 100;

    public readonly record struct Query(int Limit, bool Ascending, string? After);

    public static GatewayError? TryParse(IQueryCollection query, out Query parsed)
    {
        parsed = new Query(DefaultLimit, false, null);
        var limit = DefaultLimit;
        if (query.TryGetValue("limit", out var limitText)
            && (!int.TryParse(limitText.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > MaxLimit))
            return GatewayError.BadRequest($"Invalid 'limit': expected an integer from 1 to {MaxLimit}, got '{limitText}'.", "limit");
        var ascending = false;
        if (query.TryGetValue("order", out var order))
        {
            if (order.ToString() is not ("asc" or "desc"))
                return GatewayError.BadRequest($"Invalid 'order': expected 'asc' or 'desc', got '{order}'.", "order");
            ascending = order.ToString() == "asc";
        }
        var after = query.TryGetValue("after", out var afterText) && afterText.ToString() is { Length: > 0 } a ? a : null;
        parsed = new Query(limit, ascending, after);
        return null;
    }

    public static byte[] Write(StoredResponse response, Query query)
    {
        using var items = JsonDocument.Parse(response.InputItemsJson);
        var all = items.RootElement.EnumerateArray().Select((item, i) => (Item: item, Id: IdOf(item, response.Id, i))).ToList();
        if (!query.Ascending)
            all.Reverse();
        var start = query.After is null ? 0 : all.FindIndex(x => x.Id == query.After) + 1;
        var page = all.Skip(start).Take(query.Limit).ToList();
        var buffer = new ArrayBufferWriter<byte>(1024 + response.InputItemsJson.Length);
        using (var writer = new Utf8JsonWriter(buffer, Json.JsonOptions.Writer))
        {
            writer.WriteStartObject();
            writer.WriteString("object"u8, "list"u8);
            writer.WriteStartArray("data"u8);
            foreach (var (item, id) in page)
                WriteItem(writer, item, id);
            writer.WriteEndArray();
            if (page.Count > 0)
            {
                writer.WriteString("first_id"u8, page[0].Id);
                writer.WriteString("last_id"u8, page[^1].Id);
            }
            else
            {
                writer.WriteNull("first_id"u8);
                writer.WriteNull("last_id"u8);
            }
            writer.WriteBoolean("has_more"u8, start + page.Count < all.Count);
            writer.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    private static string IdOf(JsonElement item, string responseId, int index)
    {
        if (item.TryGetProperty("id"u8, out var id) && id.ValueKind == JsonValueKind.String && id.GetString() is { Length: > 0 } own)
            return own;
        var type = item.TryGetProperty("type"u8, out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : "message";
        var prefix = type switch
        {
            "function_call_output" => "fco",
            "function_call" => "fc",
            _ => "msg",
        };
        var tail = responseId.StartsWith("resp_", StringComparison.Ordinal) ? responseId[5..] : responseId;
        return string.Create(CultureInfo.InvariantCulture, $"{prefix}_{tail}_{index:D3}");
    }

    private static void WriteItem(Utf8JsonWriter writer, JsonElement item, string id)
    {
        writer.WriteStartObject();
        writer.WriteString("id"u8, id);
        var isMessage = !item.TryGetProperty("type"u8, out var type) || type.ValueEquals("message"u8);
        if (isMessage && !item.TryGetProperty("type"u8, out _))
            writer.WriteString("type"u8, "message"u8);
        foreach (var property in item.EnumerateObject())
        {
            if (property.NameEquals("id"u8))
                continue;
            if (isMessage && property.NameEquals("content"u8) && property.Value.ValueKind == JsonValueKind.String)
            {
                var assistant = item.TryGetProperty("role"u8, out var role) && role.ValueEquals("assistant"u8);
                writer.WriteStartArray("content"u8);
                writer.WriteStartObject();
                writer.WriteString("type"u8, assistant ? "output_text"u8 : "input_text"u8);
                writer.WritePropertyName("text"u8);
                property.Value.WriteTo(writer);
                writer.WriteEndObject();
                writer.WriteEndArray();
                continue;
            }
            property.WriteTo(writer);
        }
        writer.WriteEndObject();
    }
}

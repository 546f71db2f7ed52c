using System.Buffers;
using System.Text.Json;
using EdgeGw.Auth;

namespace EdgeGw.Api.Responses;

/// <summary>
/// One <c>store: true</c> request's turn on its way to the store: what the request said (its input as
/// items, the previous turn it follows), the attempt's deployment, and — once the answer is written —
/// the Response object. Saved only on success: a failed turn leaves nothing to follow up on.
/// </summary>
internal sealed record ResponseTurn(IResponseStore Store, string ResponseId, string ModelGroup, string? PreviousResponseId,
    byte[] InputItemsJson, Caller Caller, DateTimeOffset CreatedAt, string DeploymentId = "")
{
    /// <summary>A bridged answer: the Response object as the client got it.</summary>
    public void SaveBridged(ReadOnlySpan<byte> responseJson) =>
        Store.Save(new StoredResponse(ResponseId, DeploymentId, ModelGroup, PreviousResponseId, InputItemsJson, responseJson.ToArray(),
            ResponseAccess.KeyHashOf(Caller), ResponseAccess.TeamOf(Caller), CreatedAt));

    /// <summary>A pass-through answer: only its upstream id and the deployment that holds it.</summary>
    public void SaveForwarded(ReadOnlySpan<byte> responseJson)
    {
        if (TopLevelString(responseJson, "id"u8) is { Length: > 0 } id)
            Store.Save(StoredResponse.Forwarded(id, DeploymentId, ModelGroup, PreviousResponseId, Caller, CreatedAt));
    }

    /// <summary>
    /// This request's <c>input</c> as an item list (a string is one user message) and its
    /// <c>previous_response_id</c>, read in one pass over the top level of the body.
    /// </summary>
    public static (byte[] InputItems, string? PreviousResponseId) ReadRequest(ReadOnlySpan<byte> body)
    {
        byte[] items = "[]"u8.ToArray();
        string? previous = null;
        try
        {
            var reader = new Utf8JsonReader(body);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                return (items, null);
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isInput = reader.ValueTextEquals("input"u8);
                var isPrevious = reader.ValueTextEquals("previous_response_id"u8);
                reader.Read();
                if (isPrevious && reader.TokenType == JsonTokenType.String)
                    previous = reader.GetString();
                else if (isInput && reader.TokenType == JsonTokenType.String)
                    items = UserMessage(reader.GetString()!);
                else if (isInput && reader.TokenType == JsonTokenType.StartArray)
                {
                    var start = (int)reader.TokenStartIndex;
                    reader.Skip();
                    items = body[start..(int)reader.BytesConsumed].ToArray();
                }
                else
                    reader.Skip();
            }
        }
        catch (JsonException)
        {
            // The translator reports malformed bodies.
        }
        return (items, previous);
    }

    private static byte[] UserMessage(string text)
    {
        var buffer = new ArrayBufferWriter<byte>(text.Length + 64);
        using (var writer = new Utf8JsonWriter(buffer, Json.JsonOptions.Writer))
        {
            writer.WriteStartArray();
            writer.WriteStartObject();
            writer.WriteString("type"u8, "message"u8);
            writer.WriteString("role"u8, "user"u8);
            writer.WriteString("content"u8, text);
            writer.WriteEndObject();
            writer.WriteEndArray();
        }
        return buffer.WrittenSpan.ToArray();
    }

    private static string? TopLevelString(ReadOnlySpan<byte> json, ReadOnlySpan<byte> name)
    {
        try
        {
            var reader = new Utf8JsonReader(json);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                return null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var match = reader.ValueTextEquals(name);
                reader.Read();
                if (match && reader.TokenType == JsonTokenType.String)
                    return reader.GetString();
                reader.Skip();
            }
        }
        catch (JsonException)
        {
        }
        return null;
    }
}

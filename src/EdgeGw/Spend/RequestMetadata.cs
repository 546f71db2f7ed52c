using System.Text;
using System.Text.Json;
using EdgeGw.Routing;

namespace EdgeGw.Spend;

/// <summary>
/// A request's <c>metadata</c> or <c>litellm_metadata</c> object as LiteLLM's proxy reads it: <c>tags</c>,
/// <c>spend_logs_metadata</c> and the end user (<c>metadata.user_id</c>, <c>litellm_metadata.user</c>);
/// the client's <c>metadata</c> is kept as <c>requester_metadata</c> without its tags and without
/// <c>user_api_key_*</c> keys (those are the gateway's to write; LiteLLM strips them as spoofing).
/// </summary>
internal static class RequestMetadata
{
    private const int MaxDropped = 8;

    /// <summary>Reads the object the reader is on; leaves the reader on its end.</summary>
    public static void Read(ReadOnlySpan<byte> body, ref Utf8JsonReader reader, RequestAttribution attribution, bool litellm, bool keepsRequesterCopy)
    {
        var objectStart = (int)reader.TokenStartIndex;
        Span<(int Start, int End)> dropped = stackalloc (int, int)[MaxDropped];
        var count = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var start = (int)reader.TokenStartIndex - objectStart;
            var isTags = reader.ValueTextEquals("tags"u8);
            var isSpendLogs = reader.ValueTextEquals("spend_logs_metadata"u8);
            var isUser = litellm ? reader.ValueTextEquals("user"u8) : reader.ValueTextEquals("user_id"u8);
            var isSpoof = !reader.ValueIsEscaped && reader.ValueSpan.StartsWith("user_api_key_"u8);
            reader.Read();
            if (isTags && RequestAttribution.ReadTags(ref reader) is { } tags)
            {
                attribution.OfferTags(tags, litellm ? RequestAttribution.TagsFromLitellmMetadata : RequestAttribution.TagsFromMetadata);
            }
            else if (isSpendLogs && reader.TokenType == JsonTokenType.StartObject)
            {
                var valueStart = (int)reader.TokenStartIndex;
                reader.Skip();
                attribution.OfferSpendLogsMetadata(Encoding.UTF8.GetString(body[valueStart..(int)reader.BytesConsumed]), overrides: !litellm);
            }
            else if (isUser && reader.TokenType == JsonTokenType.String)
            {
                attribution.OfferEndUser(reader.GetString(), litellm ? RequestAttribution.EndUserFromLitellmMetadata : RequestAttribution.EndUserFromMetadata);
            }
            reader.Skip();
            if ((isTags || isSpoof) && count < MaxDropped)
                dropped[count++] = (start, (int)reader.BytesConsumed - objectStart);
        }
        if (!keepsRequesterCopy)
            return;
        var value = body[objectStart..(int)reader.BytesConsumed];
        if (count == 0)
        {
            attribution.RequesterMetadata = IsEmpty(value) ? null : Encoding.UTF8.GetString(value);
            return;
        }
        using var kept = RequestRoutingOptions.Without(value, dropped[..count]);
        attribution.RequesterMetadata = IsEmpty(kept.WrittenSpan) ? null : Encoding.UTF8.GetString(kept.WrittenSpan);
    }

    private static bool IsEmpty(ReadOnlySpan<byte> json) => json.Trim(" \t\r\n{}"u8).IsEmpty;
}

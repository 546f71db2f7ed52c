using System.Buffers;
using System.Collections.Immutable;
using System.Text.Json;
using EdgeGw.Json;

namespace EdgeGw.Storage;

/// <summary>
/// A spend row's <c>metadata</c> and <c>request_tags</c> in LiteLLM's shapes, written by the spend
/// writer (not the request) into one reused buffer:
/// <code>
///   metadata: {user_api_key, user_api_key_alias, user_api_key_team_id, user_api_key_user_id,
///              user_api_key_team_alias, spend_logs_metadata, requester_metadata?, status}
///   request_tags: the request's tags, then the key's and the team's metadata.tags (LiteLLM merges them)
/// </code>
/// <c>spend_logs_metadata</c> is the request's, with keys only the key's (then the team's) metadata
/// adds. Never a secret: the key appears only as its hash, as in the <c>api_key</c> column.
/// </summary>
internal sealed class SpendRowJson
{
    private readonly ArrayBufferWriter<byte> _buffer = new(512);
    private readonly Utf8JsonWriter _json;

    public SpendRowJson() => _json = new Utf8JsonWriter(_buffer, JsonOptions.Writer);

    public ReadOnlySpan<byte> Metadata(SpendRow row)
    {
        Start();
        _json.WriteStartObject();
        _json.WriteString("user_api_key"u8, row.ApiKey);
        _json.WriteString("user_api_key_alias"u8, row.Key?.KeyAlias);
        _json.WriteString("user_api_key_team_id"u8, row.TeamId);
        _json.WriteString("user_api_key_user_id"u8, row.User);
        _json.WriteString("user_api_key_team_alias"u8, row.Team?.TeamAlias);
        _json.WritePropertyName("spend_logs_metadata"u8);
        WriteSpendLogsMetadata(row);
        if (row.Attribution?.RequesterMetadata is { } requester)
        {
            _json.WritePropertyName("requester_metadata"u8);
            _json.WriteRawValue(requester, skipInputValidation: true);
        }
        _json.WriteString("status"u8, row.Status);
        if (row.UsageEstimated)
            _json.WriteBoolean("usage_estimated"u8, true);
        if (row.ClientGone != Streaming.ClientGone.No)
            WriteClientGone(row.ClientGone);
        _json.WriteEndObject();
        return Finish();
    }

    // LiteLLM bills a stream its client left as a success carrying a 499 ClientDisconnected error_information.
    private void WriteClientGone(Streaming.ClientGone gone)
    {
        _json.WriteStartObject("error_information"u8);
        _json.WriteString("error_code"u8, "499"u8);
        if (gone == Streaming.ClientGone.Stalled)
        {
            _json.WriteString("error_class"u8, "ClientStalled"u8);
            _json.WriteString("error_message"u8, "The client stopped reading the stream; it was ended and billed for what was generated"u8);
        }
        else
        {
            _json.WriteString("error_class"u8, "ClientDisconnected"u8);
            _json.WriteString("error_message"u8, "Client disconnected the request"u8);
        }
        _json.WriteEndObject();
    }

    public ReadOnlySpan<byte> Tags(SpendRow row)
    {
        Start();
        _json.WriteStartArray();
        var request = row.Attribution?.Tags ?? [];
        foreach (var tag in request)
            _json.WriteStringValue(tag);
        var key = MetadataTags(row.Key?.MetadataJson);
        WriteNew(key, request, []);
        WriteNew(MetadataTags(row.Team?.MetadataJson), request, key);
        _json.WriteEndArray();
        return Finish();
    }

    private void WriteNew(ImmutableArray<string> tags, ImmutableArray<string> first, ImmutableArray<string> second)
    {
        foreach (var tag in tags)
        {
            if (!first.Contains(tag) && !second.Contains(tag))
                _json.WriteStringValue(tag);
        }
    }

    /// <summary>The row's <c>spend_logs_metadata</c> as the spend log stores it (the callbacks' payloads carry the same).</summary>
    public ReadOnlySpan<byte> SpendLogsMetadata(SpendRow row)
    {
        Start();
        WriteSpendLogsMetadata(row);
        return Finish();
    }

    private void WriteSpendLogsMetadata(SpendRow row)
    {
        var request = row.Attribution?.SpendLogsMetadata;
        var key = MetadataObject(row.Key?.MetadataJson, "spend_logs_metadata");
        var team = MetadataObject(row.Team?.MetadataJson, "spend_logs_metadata");
        if (key is null && team is null)
        {
            if (request is null)
                _json.WriteNullValue();
            else
                _json.WriteRawValue(request, skipInputValidation: true);
            return;
        }
        // Rare (spend_logs_metadata set on a key or team): merge, the request's values first.
        using var parsed = request is null ? null : JsonDocument.Parse(request);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        _json.WriteStartObject();
        foreach (var source in (ReadOnlySpan<JsonElement?>)[parsed?.RootElement, key, team])
        {
            if (source is not { ValueKind: JsonValueKind.Object } element)
                continue;
            foreach (var property in element.EnumerateObject())
            {
                if (seen.Add(property.Name))
                    property.WriteTo(_json);
            }
        }
        _json.WriteEndObject();
    }

    /// <summary><c>metadata.tags</c> of a key or team; the string search keeps the common case parse-free.</summary>
    private static ImmutableArray<string> MetadataTags(string? metadataJson)
    {
        if (MetadataObject(metadataJson, "tags") is not { ValueKind: JsonValueKind.Array } tags)
            return [];
        var list = ImmutableArray.CreateBuilder<string>();
        foreach (var tag in tags.EnumerateArray())
        {
            if (tag.ValueKind == JsonValueKind.String && tag.GetString() is { Length: > 0 } text && !list.Contains(text))
                list.Add(text);
        }
        return list.ToImmutable();
    }

    private static JsonElement? MetadataObject(string? metadataJson, string name)
    {
        if (metadataJson is null || !metadataJson.Contains(name, StringComparison.Ordinal))
            return null;
        using var document = JsonDocument.Parse(metadataJson);
        return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty(name, out var value)
            ? value.Clone()
            : null;
    }

    private void Start()
    {
        _buffer.ResetWrittenCount();
        _json.Reset(_buffer);
    }

    private ReadOnlySpan<byte> Finish()
    {
        _json.Flush();
        return _buffer.WrittenSpan;
    }
}

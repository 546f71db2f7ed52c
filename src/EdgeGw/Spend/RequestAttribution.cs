using System.Collections.Immutable;
using System.Text.Json;

namespace EdgeGw.Spend;

/// <summary>
/// What a request says about itself for the spend log, in LiteLLM's terms: the end user
/// (<c>end_user</c>), its tags (<c>request_tags</c>) and its <c>spend_logs_metadata</c> and
/// <c>requester_metadata</c> (inside <c>metadata</c>). Exists only when the request carried any of them.
/// </summary>
internal sealed class RequestAttribution
{
    // LiteLLM's order: a customer header, then body `user`, `litellm_metadata.user`, `metadata.user_id`.
    public const int EndUserFromHeader = 4, EndUserFromUser = 3, EndUserFromLitellmMetadata = 2, EndUserFromMetadata = 1;
    // Body `tags` over the `x-litellm-tags` header over `metadata.tags` over `litellm_metadata.tags`.
    public const int TagsFromBody = 4, TagsFromHeader = 3, TagsFromMetadata = 2, TagsFromLitellmMetadata = 1;

    private int _endUserRank;
    private int _tagsRank;

    public string? EndUser { get; private set; }
    public ImmutableArray<string> Tags { get; private set; } = [];
    /// <summary>The request's <c>spend_logs_metadata</c> object, as JSON.</summary>
    public string? SpendLogsMetadata { get; private set; }
    /// <summary>The client's own <c>metadata</c> object (without the keys the gateway reads), as JSON.</summary>
    public string? RequesterMetadata { get; set; }

    public void OfferEndUser(string? value, int rank)
    {
        if (!string.IsNullOrWhiteSpace(value) && rank > _endUserRank)
        {
            EndUser = value;
            _endUserRank = rank;
        }
    }

    public void OfferTags(ImmutableArray<string> tags, int rank)
    {
        if (rank > _tagsRank)
        {
            Tags = tags;
            _tagsRank = rank;
        }
    }

    /// <summary>The first object offered wins: <c>metadata</c> is read before <c>litellm_metadata</c> fills gaps.</summary>
    public void OfferSpendLogsMetadata(string json, bool overrides)
    {
        if (SpendLogsMetadata is null || overrides)
            SpendLogsMetadata = json;
    }

    /// <summary>Strings of a JSON array (the reader on its start); anything else is no tags.</summary>
    public static ImmutableArray<string>? ReadTags(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
            return null;
        var tags = ImmutableArray.CreateBuilder<string>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType == JsonTokenType.String && reader.GetString() is { Length: > 0 } tag && !tags.Contains(tag))
                tags.Add(tag);
            else
                reader.Skip();
        }
        return tags.ToImmutable();
    }

    /// <summary><c>x-litellm-tags: a, b</c> → ["a", "b"].</summary>
    public static ImmutableArray<string> SplitTags(string header)
    {
        var tags = ImmutableArray.CreateBuilder<string>();
        foreach (var part in header.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!tags.Contains(part))
                tags.Add(part);
        }
        return tags.ToImmutable();
    }
}

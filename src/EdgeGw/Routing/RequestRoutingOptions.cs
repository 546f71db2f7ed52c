using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using EdgeGw.Buffers;
using EdgeGw.Spend;

namespace EdgeGw.Routing;

/// <summary>
/// The LiteLLM-only keys a client may put in a request body (LiteLLM's <c>ProxyChatCompletionRequest</c>
/// and proxy request fields). The routing ones — <c>num_retries</c>, <c>fallbacks</c> (model names, or
/// LiteLLM's <c>[{"model": [...]}]</c> form), <c>disable_fallbacks</c>, <c>timeout</c>/<c>request_timeout</c>
/// (seconds), <c>mock_response</c> — are read here; <c>metadata</c>, <c>litellm_metadata</c>, <c>tags</c>
/// and <c>user</c> become the spend row's <see cref="Attribution"/>. All but <c>user</c> (an OpenAI
/// field) are removed before the body goes upstream: OpenAI and Anthropic reject unknown parameters,
/// and the proxy's metadata is not the provider's business (LiteLLM pops it too).
/// </summary>
internal readonly record struct RequestRoutingOptions(int? NumRetries, ImmutableArray<string>? Fallbacks, bool DisableFallbacks)
{
    private const int MaxKeys = 16;

    /// <summary>The request's own bound on its whole run (overrides <c>litellm_settings.request_timeout</c>).</summary>
    public TimeSpan? Timeout { get; init; }
    /// <summary>LiteLLM's <c>mock_response</c>: answered without calling the provider where the key allows it.</summary>
    public string? MockResponse { get; init; }
    /// <summary>The body has a top-level <c>user</c> key, whatever its value (<c>enforce_user_param</c>).</summary>
    public bool HasUserKey { get; init; }
    /// <summary>The request's <c>cache: {…}</c> controls; null when it has none.</summary>
    public Cache.CacheControl? Cache { get; init; }
    /// <summary>What the spend row records about the request; null when it carried nothing.</summary>
    public RequestAttribution? Attribution { get; init; }
    /// <summary>
    /// The <c>model_info.id</c> of the deployment to try first when the group has it and it can take the
    /// request (a Responses follow-up goes back where its conversation is cached); otherwise ignored.
    /// </summary>
    public string? PreferredDeployment { get; init; }

    private enum Key : byte { None, NumRetries, Fallbacks, DisableFallbacks, Metadata, LitellmMetadata, Tags, Timeout, MockResponse, User, Cache, StripOnly }

    /// <summary>
    /// Reads the keys and returns a copy of the body without them, or null when nothing is removed.
    /// The common case — none of them — costs one scan over the body's colons and allocates nothing.
    /// </summary>
    /// <param name="anthropicMetadata">On <c>/v1/messages</c> <c>metadata</c> is Anthropic's own field (<c>user_id</c>): kept.</param>
    public static PooledBufferWriter? Extract(ReadOnlySpan<byte> body, bool anthropicMetadata, out RequestRoutingOptions options)
    {
        options = default;
        if (!MayHaveKeys(body))
            return null;
        Span<(int Start, int End)> ranges = stackalloc (int, int)[MaxKeys];
        var found = 0;
        RequestAttribution? attribution = null;
        try
        {
            var reader = new Utf8JsonReader(body);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                return null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var start = (int)reader.TokenStartIndex;
                if (reader.ValueTextEquals("user"u8))
                    options = options with { HasUserKey = true };
                var key = Classify(ref reader, anthropicMetadata);
                reader.Read();
                switch (key)
                {
                    case Key.NumRetries when reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var n) && n >= 0:
                        options = options with { NumRetries = n };
                        break;
                    case Key.Fallbacks:
                        options = options with { Fallbacks = ReadFallbacks(ref reader) };
                        break;
                    case Key.DisableFallbacks when reader.TokenType is JsonTokenType.True or JsonTokenType.False:
                        options = options with { DisableFallbacks = reader.GetBoolean() };
                        break;
                    case Key.Timeout when options.Timeout is null && Seconds(ref reader) is { } timeout:
                        options = options with { Timeout = timeout };
                        break;
                    case Key.MockResponse when reader.TokenType == JsonTokenType.String:
                        options = options with { MockResponse = reader.GetString() };
                        break;
                    case Key.Cache when reader.TokenType == JsonTokenType.StartObject:
                        options = options with { Cache = EdgeGw.Cache.CacheControlReader.Read(ref reader) };
                        break;
                    case Key.Tags when RequestAttribution.ReadTags(ref reader) is { } tags:
                        (attribution ??= new()).OfferTags(tags, RequestAttribution.TagsFromBody);
                        break;
                    case Key.User when reader.TokenType == JsonTokenType.String:
                        (attribution ??= new()).OfferEndUser(reader.GetString(), RequestAttribution.EndUserFromUser);
                        break;
                    case Key.Metadata when reader.TokenType == JsonTokenType.StartObject:
                        RequestMetadata.Read(body, ref reader, attribution ??= new(), litellm: false, keepsRequesterCopy: !anthropicMetadata);
                        break;
                    case Key.LitellmMetadata when reader.TokenType == JsonTokenType.StartObject:
                        RequestMetadata.Read(body, ref reader, attribution ??= new(), litellm: true, keepsRequesterCopy: false);
                        break;
                }
                reader.Skip();
                var stripped = key is not (Key.None or Key.User) && !(key == Key.Metadata && anthropicMetadata);
                if (stripped && found < MaxKeys)
                    ranges[found++] = (start, (int)reader.BytesConsumed);
            }
        }
        catch (JsonException)
        {
            options = default;
            return null; // the request parser reports malformed JSON
        }
        options = options with { Attribution = attribution };
        return found == 0 ? null : Without(body, ranges[..found]);
    }

    private const int LongestName = 28; // context_window_fallback_dict

    /// <summary>
    /// One pass over the body's colons: is any of them preceded by one of the names above, quoted?
    /// (A colon inside a string value is not preceded by a closing quote; a quoted word in one is
    /// escaped.) A false hit only costs the reader pass. Ten substring searches took twice as long on
    /// a 4.6 KB chat body.
    /// </summary>
    private static bool MayHaveKeys(ReadOnlySpan<byte> body)
    {
        var from = 0;
        while (true)
        {
            var colon = body[from..].IndexOf((byte)':');
            if (colon < 0)
                return false;
            colon += from;
            from = colon + 1;
            var end = colon - 1;
            while (end > 0 && IsSpace(body[end]))
                end--;
            if (end <= 0 || body[end] != (byte)'"')
                continue;
            var open = end - 1;
            var stop = Math.Max(0, end - LongestName - 1);
            while (open >= stop && body[open] != (byte)'"')
                open--;
            if (open >= stop && IsName(body[(open + 1)..end]))
                return true;
        }
    }

    /// <summary>Every name <see cref="Classify"/> knows (the prefixes <c>litellm_</c>, <c>mock_</c> included).</summary>
    private static bool IsName(ReadOnlySpan<byte> name) => name.Length switch
    {
        4 => name.SequenceEqual("tags"u8) || name.SequenceEqual("user"u8),
        5 => name.SequenceEqual("cache"u8),
        7 => name.SequenceEqual("timeout"u8) || name.SequenceEqual("caching"u8),
        8 => name.SequenceEqual("metadata"u8),
        9 => name.SequenceEqual("fallbacks"u8),
        10 => name.SequenceEqual("guardrails"u8),
        11 => name.SequenceEqual("num_retries"u8),
        15 => name.SequenceEqual("request_timeout"u8),
        17 => name.SequenceEqual("disable_fallbacks"u8),
        LongestName => name.SequenceEqual("context_window_fallback_dict"u8),
        _ => false,
    } || (name.Length > 5 && (name.StartsWith("litellm_"u8) || name.StartsWith("mock_"u8)));

    private static Key Classify(ref Utf8JsonReader reader, bool anthropicMetadata)
    {
        if (reader.ValueTextEquals("num_retries"u8))
            return Key.NumRetries;
        if (reader.ValueTextEquals("fallbacks"u8))
            return Key.Fallbacks;
        if (reader.ValueTextEquals("disable_fallbacks"u8))
            return Key.DisableFallbacks;
        if (reader.ValueTextEquals("metadata"u8))
            return Key.Metadata;
        if (reader.ValueTextEquals("litellm_metadata"u8))
            return Key.LitellmMetadata;
        if (reader.ValueTextEquals("tags"u8))
            return Key.Tags;
        if (reader.ValueTextEquals("timeout"u8) || reader.ValueTextEquals("request_timeout"u8))
            return Key.Timeout;
        if (reader.ValueTextEquals("mock_response"u8))
            return Key.MockResponse;
        if (reader.ValueTextEquals("cache"u8))
            return Key.Cache;
        // OpenAI's end-user field; on Anthropic's API it lives in metadata.user_id.
        if (reader.ValueTextEquals("user"u8))
            return anthropicMetadata ? Key.StripOnly : Key.User;
        // LiteLLM-only: prompt caching controls, guardrails, its call/trace ids, its mocks, its old fallback map.
        if (reader.ValueTextEquals("mock_tool_calls"u8) || reader.ValueTextEquals("caching"u8) || reader.ValueTextEquals("guardrails"u8)
            || reader.ValueTextEquals("context_window_fallback_dict"u8) || (!reader.ValueIsEscaped && reader.ValueSpan.StartsWith("litellm_"u8)))
            return Key.StripOnly;
        return Key.None;
    }

    /// <summary>A positive number of seconds, as a JSON number or a numeric string (LiteLLM accepts both).</summary>
    private static TimeSpan? Seconds(ref Utf8JsonReader reader)
    {
        double seconds;
        if (reader.TokenType == JsonTokenType.Number && reader.TryGetDouble(out var number))
            seconds = number;
        else if (reader.TokenType != JsonTokenType.String
                 || !double.TryParse(reader.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out seconds))
            return null;
        return seconds is > 0 and < 86_400 ? TimeSpan.FromSeconds(seconds) : null;
    }

    private static ImmutableArray<string>? ReadFallbacks(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
            return null;
        var names = ImmutableArray.CreateBuilder<string>();
        var depth = reader.CurrentDepth;
        while (reader.Read() && reader.CurrentDepth > depth)
        {
            // Strings directly in the list, or in the lists of {"group": [...]} entries.
            if (reader.TokenType == JsonTokenType.String)
                names.Add(reader.GetString()!);
        }
        return names.ToImmutable();
    }

    /// <summary>Copies the body without the given properties and one adjacent comma each.</summary>
    public static PooledBufferWriter Without(ReadOnlySpan<byte> body, ReadOnlySpan<(int Start, int End)> ranges)
    {
        var output = new PooledBufferWriter(body.Length);
        var copied = 0;
        foreach (var (start, end) in ranges)
        {
            var from = start;
            var to = end;
            var before = start - 1;
            while (before >= copied && IsSpace(body[before]))
                before--;
            if (before >= copied && body[before] == (byte)',')
            {
                from = before;
            }
            else
            {
                var after = end;
                while (after < body.Length && IsSpace(body[after]))
                    after++;
                if (after < body.Length && body[after] == (byte)',')
                    to = after + 1;
            }
            output.Write(body[copied..from]);
            copied = to;
        }
        output.Write(body[copied..]);
        return output;
    }

    private static bool IsSpace(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n';
}

using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace EdgeGw.Cache;

/// <summary>
/// LiteLLM's cache key (<c>Cache.get_cache_key</c>): the SHA-256 hex of <c>"name: value"</c> for the
/// model group and each generation parameter the request sets (nulls skipped, in the body's order),
/// prefixed <c>namespace:</c> when one applies. Not in it: the caller's key, <c>metadata</c>, LiteLLM's
/// own fields (stripped before), the <c>cache</c> controls, and <c>stream</c>/<c>stream_options</c>
/// (so a streamed request and a plain one share an answer). The value is also the Redis key and the
/// <c>x-litellm-cache-key</c> header.
/// </summary>
internal readonly record struct CacheKey(string Value)
{
    public override string ToString() => Value;

    /// <summary>The key of a request whose body (LiteLLM's fields already stripped) is <paramref name="body"/>.</summary>
    public static CacheKey For(ReadOnlySpan<byte> body, string modelGroup, string? ns) => Compute(body, modelGroup, ns, default, single: false);

    /// <summary>
    /// The key of one embedding input (LiteLLM caches embeddings per input): the body's parameters with
    /// <c>input</c> standing for that one element (<paramref name="input"/>, its raw JSON).
    /// </summary>
    public static CacheKey ForInput(ReadOnlySpan<byte> body, string modelGroup, string? ns, ReadOnlySpan<byte> input) =>
        Compute(body, modelGroup, ns, input, single: true);

    private static CacheKey Compute(ReadOnlySpan<byte> body, string modelGroup, string? ns, ReadOnlySpan<byte> input, bool single)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData("model: "u8);
        hash.AppendData(Encoding.UTF8.GetBytes(modelGroup));
        var reader = new Utf8JsonReader(body);
        if (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
        {
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var nameStart = (int)reader.TokenStartIndex;
                var excluded = IsExcluded(ref reader);
                var isInput = single && reader.ValueTextEquals("input"u8);
                var nameEnd = (int)reader.BytesConsumed;
                reader.Read();
                var valueStart = (int)reader.TokenStartIndex;
                var isNull = reader.TokenType == JsonTokenType.Null;
                reader.Skip();
                if (excluded || isNull)
                    continue;
                hash.AppendData(body[nameStart..nameEnd]); // "name": as the client wrote it
                hash.AppendData(" "u8);
                hash.AppendData(isInput ? input : body[valueStart..(int)reader.BytesConsumed]);
            }
        }
        Span<byte> digest = stackalloc byte[32];
        hash.GetHashAndReset(digest);
        var hex = Convert.ToHexStringLower(digest);
        return new CacheKey(string.IsNullOrEmpty(ns) ? hex : $"{ns}:{hex}");
    }

    private static bool IsExcluded(ref Utf8JsonReader reader) =>
        reader.ValueTextEquals("model"u8) || reader.ValueTextEquals("stream"u8) || reader.ValueTextEquals("stream_options"u8)
        || reader.ValueTextEquals("metadata"u8) || reader.ValueTextEquals("cache"u8);
}

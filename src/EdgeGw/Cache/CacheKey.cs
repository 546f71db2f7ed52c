using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using EdgeGw.Buffers;
using EdgeGw.Json;

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
    public static CacheKey For(ReadOnlySpan<byte> body, string modelGroup, string? ns)
    {
        using var text = new PooledBufferWriter(body.Length + 64);
        Write(body, modelGroup, text, splitAtInput: false);
        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData(text.WrittenSpan, digest);
        return Of(digest, ns);
    }

    /// <summary>
    /// The key of each embedding input (LiteLLM caches embeddings per input): the body's parameters with
    /// <c>input</c> standing for that one element (<paramref name="inputs"/>, ranges in the body). The
    /// body is read once, so a long list costs time linear in its size.
    /// </summary>
    public static CacheKey[] ForInputs(ReadOnlySpan<byte> body, string modelGroup, string? ns, ReadOnlySpan<JsonRange> inputs)
    {
        using var text = new PooledBufferWriter(body.Length + 64);
        var at = Write(body, modelGroup, text, splitAtInput: true);
        var keys = new CacheKey[inputs.Length];
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> digest = stackalloc byte[32];
        for (var i = 0; i < inputs.Length; i++)
        {
            hash.AppendData(text.WrittenSpan[..at]);
            hash.AppendData(body.Slice(inputs[i].Start, inputs[i].Length));
            hash.AppendData(text.WrittenSpan[at..]);
            hash.GetHashAndReset(digest);
            keys[i] = Of(digest, ns);
        }
        return keys;
    }

    /// <summary>Writes the hashed text; with <paramref name="splitAtInput"/>, leaves out <c>input</c>'s value and returns where it goes.</summary>
    private static int Write(ReadOnlySpan<byte> body, string modelGroup, PooledBufferWriter text, bool splitAtInput)
    {
        text.Write("model: "u8);
        text.Write(Encoding.UTF8.GetBytes(modelGroup));
        var at = -1;
        var reader = new Utf8JsonReader(body);
        if (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
        {
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var nameStart = (int)reader.TokenStartIndex;
                var excluded = IsExcluded(ref reader);
                var isInput = splitAtInput && reader.ValueTextEquals("input"u8);
                var nameEnd = (int)reader.BytesConsumed;
                reader.Read();
                var valueStart = (int)reader.TokenStartIndex;
                var isNull = reader.TokenType == JsonTokenType.Null;
                reader.Skip();
                if (excluded || isNull)
                    continue;
                text.Write(body[nameStart..nameEnd]); // "name": as the client wrote it
                text.Write(" "u8);
                if (isInput)
                    at = text.WrittenCount;
                else
                    text.Write(body[valueStart..(int)reader.BytesConsumed]);
            }
        }
        return at < 0 ? text.WrittenCount : at;
    }

    private static CacheKey Of(ReadOnlySpan<byte> digest, string? ns)
    {
        var hex = Convert.ToHexStringLower(digest);
        return new CacheKey(string.IsNullOrEmpty(ns) ? hex : $"{ns}:{hex}");
    }

    private static bool IsExcluded(ref Utf8JsonReader reader) =>
        reader.ValueTextEquals("model"u8) || reader.ValueTextEquals("stream"u8) || reader.ValueTextEquals("stream_options"u8)
        || reader.ValueTextEquals("metadata"u8) || reader.ValueTextEquals("cache"u8);
}

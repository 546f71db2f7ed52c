using System.Collections.Immutable;
using System.Text.Json;
using EdgeGw.Buffers;

namespace EdgeGw.Routing;

/// <summary>
/// The gateway-only keys a client may put in a request body: <c>num_retries</c>, <c>fallbacks</c>
/// (model names, or LiteLLM's <c>[{"model": [...]}]</c> form) and <c>disable_fallbacks</c>. They are
/// removed from the body before it goes upstream: OpenAI and Anthropic reject unknown parameters.
/// </summary>
internal readonly record struct RequestRoutingOptions(int? NumRetries, ImmutableArray<string>? Fallbacks, bool DisableFallbacks)
{
    private const int MaxKeys = 8;

    /// <summary>
    /// Reads the keys and returns a copy of the body without them, or null (and default options)
    /// when the body has none — the common case costs one vectorized search per key.
    /// </summary>
    public static PooledBufferWriter? Extract(ReadOnlySpan<byte> body, out RequestRoutingOptions options)
    {
        options = default;
        if (body.IndexOf("\"num_retries\""u8) < 0 && body.IndexOf("\"fallbacks\""u8) < 0 && body.IndexOf("\"disable_fallbacks\""u8) < 0)
            return null;
        Span<(int Start, int End)> ranges = stackalloc (int, int)[MaxKeys];
        var found = 0;
        try
        {
            var reader = new Utf8JsonReader(body);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                return null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var start = (int)reader.TokenStartIndex;
                var key = reader.ValueTextEquals("num_retries"u8) ? 1 : reader.ValueTextEquals("fallbacks"u8) ? 2 : reader.ValueTextEquals("disable_fallbacks"u8) ? 3 : 0;
                reader.Read();
                switch (key)
                {
                    case 1 when reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var n) && n >= 0:
                        options = options with { NumRetries = n };
                        break;
                    case 2:
                        options = options with { Fallbacks = ReadFallbacks(ref reader) };
                        break;
                    case 3 when reader.TokenType is JsonTokenType.True or JsonTokenType.False:
                        options = options with { DisableFallbacks = reader.GetBoolean() };
                        break;
                }
                reader.Skip();
                if (key != 0 && found < MaxKeys)
                    ranges[found++] = (start, (int)reader.BytesConsumed);
            }
        }
        catch (JsonException)
        {
            options = default;
            return null; // the request parser reports malformed JSON
        }
        return found == 0 ? null : Without(body, ranges[..found]);
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
    private static PooledBufferWriter Without(ReadOnlySpan<byte> body, ReadOnlySpan<(int Start, int End)> ranges)
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

using System.Text;

namespace EdgeGw.Upstream.Http1;

/// <summary>
/// The strings Kestrel needs for the relayed <c>llm_provider-*</c> headers, kept per connection by the
/// header's position: an upstream answers with the same headers in the same order, so only values that
/// change per answer (date, request id, remaining limits) are made into new strings.
/// </summary>
internal sealed class Http1HeaderStrings
{
    private const int MaxCached = 64;
    private Entry[] _entries = new Entry[16];

    private struct Entry
    {
        public string? Name;
        public string? Prefixed;
        public string? Value;
    }

    /// <summary>The name, its <c>llm_provider-</c> form and the value of the header at <paramref name="index"/>.</summary>
    public (string Name, string Prefixed, string Value) Get(int index, ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
    {
        if (index >= MaxCached)
        {
            var uncached = Encoding.Latin1.GetString(name);
            return (uncached, ProviderHeaders.Prefixed(uncached), Encoding.Latin1.GetString(value));
        }
        if (index >= _entries.Length)
            Array.Resize(ref _entries, Math.Min(MaxCached, _entries.Length * 2));
        ref var entry = ref _entries[index];
        if (entry.Name is null || !Ascii.Equals(name, entry.Name))
        {
            entry.Name = Encoding.Latin1.GetString(name);
            entry.Prefixed = ProviderHeaders.Prefixed(entry.Name);
            entry.Value = null;
        }
        if (entry.Value is null || value.Length != entry.Value.Length || !Latin1Equals(value, entry.Value))
            entry.Value = Encoding.Latin1.GetString(value);
        return (entry.Name, entry.Prefixed!, entry.Value);
    }

    private static bool Latin1Equals(ReadOnlySpan<byte> bytes, string text)
    {
        for (var i = 0; i < bytes.Length; i++)
        {
            if (bytes[i] != text[i])
                return false;
        }
        return true;
    }
}

using System.Buffers;
using System.Globalization;
using System.Text.Json;

namespace EdgeGw.Observability.Callbacks;

/// <summary>
/// Keeps a logged prompt or answer within <see cref="MaxBytes"/>: a longer one becomes a JSON string of
/// its first bytes followed by a marker saying how long it was, so a sink still gets valid JSON and
/// a queue of 10,000 events cannot hold gigabytes.
/// </summary>
internal static class BoundedJson
{
    /// <summary>1 MiB: a generous chat turn; past it the text is cut.</summary>
    public const int MaxBytes = 1 << 20;

    public const string TruncatedMarker = "...[truncated by edgegw: ";

    /// <summary><paramref name="json"/> itself when within the bound, else its head as a marked JSON string.</summary>
    public static byte[] Of(ReadOnlySpan<byte> json) =>
        json.Length <= MaxBytes ? json.ToArray() : Truncated(Head(json), string.Create(CultureInfo.InvariantCulture, $"{json.Length} bytes"));

    /// <summary>A marker for content too large to be kept at all.</summary>
    public static byte[] TooLarge(int overBytes) => Truncated([], string.Create(CultureInfo.InvariantCulture, $"over {overBytes} bytes"));

    // Cut before a UTF-8 continuation byte so the head is whole characters.
    private static ReadOnlySpan<byte> Head(ReadOnlySpan<byte> json)
    {
        var cut = MaxBytes;
        while (cut > 0 && (json[cut] & 0xC0) == 0x80)
            cut--;
        return json[..cut];
    }

    private static byte[] Truncated(ReadOnlySpan<byte> head, string size)
    {
        var marker = System.Text.Encoding.UTF8.GetBytes(
            string.Create(CultureInfo.InvariantCulture, $"{TruncatedMarker}{size}, {head.Length} logged]"));
        var buffer = new ArrayBufferWriter<byte>(head.Length + marker.Length + 64);
        using (var json = new Utf8JsonWriter(buffer))
        {
            try
            {
                json.WriteStringValueSegment(head, isFinalSegment: false);
                json.WriteStringValueSegment(marker, isFinalSegment: true);
            }
            catch (ArgumentException)
            {
                // Not UTF-8 after all: the marker alone.
                json.Reset();
                buffer.Clear();
                json.WriteStringValue(marker);
            }
        }
        return buffer.WrittenSpan.ToArray();
    }
}

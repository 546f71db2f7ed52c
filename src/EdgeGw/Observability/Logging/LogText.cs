using System.Globalization;
using System.Text;

namespace EdgeGw.Observability.Logging;

/// <summary>Appends to a UTF-8 log line: text transcoded, numbers formatted in place as the logging generator's messages format them.</summary>
internal static class LogText
{
    public static void Append(ArrayBufferWriter<byte> line, ReadOnlySpan<byte> utf8) => line.Write(utf8);

    public static void Append(ArrayBufferWriter<byte> line, ReadOnlySpan<char> text)
    {
        var span = line.GetSpan(Encoding.UTF8.GetMaxByteCount(text.Length));
        line.Advance(Encoding.UTF8.GetBytes(text, span));
    }

    public static void Append<T>(ArrayBufferWriter<byte> line, T value) where T : IUtf8SpanFormattable
    {
        // 32 bytes hold any int, long or double ("-1.7976931348623157E+308" is 24).
        value.TryFormat(line.GetSpan(32), out var written, default, CultureInfo.InvariantCulture);
        line.Advance(written);
    }

    public static void Append(ArrayBufferWriter<byte> line, bool value) => line.Write(value ? "True"u8 : "False"u8);
}

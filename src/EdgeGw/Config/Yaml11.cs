using System.Globalization;

namespace EdgeGw.Config;

/// <summary>
/// YAML 1.1 scalars as PyYAML's resolver reads them (LiteLLM loads config.yaml with PyYAML):
/// <c>200_000</c>, <c>0x1F</c>, <c>017</c> (octal), <c>1:30</c> (base 60), <c>.inf</c>, and the
/// booleans <c>yes/no/on/off/true/false</c> in their three casings. Used only where a number or a
/// boolean is expected, so <c>api_key: 0123</c> stays the string it was written as.
/// </summary>
internal static class Yaml11
{
    public static bool IsNull(string? text) => text is null or "" or "~" or "null" or "Null" or "NULL";

    public static bool? Bool(string text) => text switch
    {
        "true" or "True" or "TRUE" or "yes" or "Yes" or "YES" or "on" or "On" or "ON" => true,
        "false" or "False" or "FALSE" or "no" or "No" or "NO" or "off" or "Off" or "OFF" => false,
        _ => null,
    };

    /// <summary>An integer in any YAML 1.1 spelling; false when the text is not one or does not fit a long.</summary>
    public static bool TryInteger(string text, out long value)
    {
        value = 0;
        if (!TryStrip(text, out var stripped))
            return false;
        var (negative, body) = Sign(stripped);
        if (body.Length == 0)
            return false;
        ulong magnitude;
        if (body.StartsWith("0b", StringComparison.Ordinal))
        {
            if (!TryDigits(body.AsSpan(2), 2, out magnitude))
                return false;
        }
        else if (body.StartsWith("0x", StringComparison.Ordinal))
        {
            if (!ulong.TryParse(body.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out magnitude))
                return false;
        }
        else if (body.Contains(':', StringComparison.Ordinal))
        {
            if (!TrySexagesimal(body, out magnitude))
                return false;
        }
        else if (body.Length > 1 && body[0] == '0' && TryDigits(body.AsSpan(1), 8, out magnitude))
        {
            // YAML 1.1 octal (PyYAML reads rpm: 010 as 8).
        }
        else if (!TryDigits(body, 10, out magnitude))
        {
            return false;
        }
        if (magnitude > long.MaxValue)
            return false;
        value = negative ? -(long)magnitude : (long)magnitude;
        return true;
    }

    /// <summary>A number in any YAML 1.1 spelling (integers included), <c>.inf</c> and <c>.nan</c> too.</summary>
    public static bool TryFloat(string text, out double value)
    {
        if (TryInteger(text, out var integer))
        {
            value = integer;
            return true;
        }
        value = 0;
        if (!TryStrip(text, out var stripped))
            return false;
        var (negative, body) = Sign(stripped);
        if (body is ".inf" or ".Inf" or ".INF")
            value = negative ? double.NegativeInfinity : double.PositiveInfinity;
        else if (stripped is ".nan" or ".NaN" or ".NAN")
            value = double.NaN;
        else if (body.Length == 0 || !(char.IsAsciiDigit(body[0]) || body[0] == '.')
            || !double.TryParse(body, NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out value))
            return false;
        else if (negative)
            value = -value;
        return true;
    }

    // Underscores separate digits; one cannot start the number.
    private static bool TryStrip(string text, out string stripped)
    {
        stripped = text.Replace("_", "", StringComparison.Ordinal);
        return !text.TrimStart('+', '-').StartsWith('_');
    }

    private static (bool Negative, string Body) Sign(string s) =>
        s.Length > 0 && s[0] is '-' or '+' ? (s[0] == '-', s[1..]) : (false, s);

    private static bool TryDigits(ReadOnlySpan<char> digits, uint radix, out ulong value)
    {
        value = 0;
        if (digits.IsEmpty)
            return false;
        foreach (var c in digits)
        {
            var d = (uint)(c - '0');
            if (d >= radix || value > (ulong.MaxValue - d) / radix)
                return false;
            value = value * radix + d;
        }
        return true;
    }

    // PyYAML's base 60: 1:30 is 90, 1:00:00 is 3600.
    private static bool TrySexagesimal(string body, out ulong value)
    {
        value = 0;
        var parts = body.Split(':');
        for (var i = 0; i < parts.Length; i++)
        {
            if (!TryDigits(parts[i], 10, out var part) || (i > 0 && (part > 59 || parts[i].Length > 2)) || (i == 0 && parts[0][0] == '0'))
                return false;
            if (value > (ulong.MaxValue - part) / 60)
                return false;
            value = value * 60 + part;
        }
        return true;
    }
}

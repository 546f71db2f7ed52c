using Microsoft.Extensions.Primitives;

namespace EdgeGw.Ui;

/// <summary>Which of Brotli and gzip a request's <c>Accept-Encoding</c> allows (a <c>q=0</c> refuses one; <c>*</c> allows both).</summary>
internal readonly record struct AcceptEncoding(bool Brotli, bool Gzip)
{
    public static AcceptEncoding Parse(StringValues values)
    {
        bool brotli = false, gzip = false;
        foreach (var value in values)
        {
            var text = value.AsSpan();
            foreach (var range in text.Split(','))
            {
                var part = text[range];
                var semicolon = part.IndexOf(';');
                var token = (semicolon < 0 ? part : part[..semicolon]).Trim();
                if (semicolon >= 0 && Refused(part[(semicolon + 1)..]))
                    continue;
                if (token.Equals("br", StringComparison.OrdinalIgnoreCase))
                    brotli = true;
                else if (token.Equals("gzip", StringComparison.OrdinalIgnoreCase))
                    gzip = true;
                else if (token is "*")
                    (brotli, gzip) = (true, true);
            }
        }
        return new AcceptEncoding(brotli, gzip);
    }

    // "q=0", "q=0.0", "q=0.000": the one weight that means "not this".
    private static bool Refused(ReadOnlySpan<char> parameters)
    {
        var p = parameters.Trim();
        if (!p.StartsWith("q=", StringComparison.OrdinalIgnoreCase))
            return false;
        var q = p[2..].Trim();
        return q.Length > 0 && q[0] == '0' && !q[1..].ContainsAnyExcept('.', '0');
    }
}

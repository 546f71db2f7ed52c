using System.Buffers;
using System.Buffers.Text;
using System.Text;

namespace EdgeGw.Upstream.Http1;

/// <summary>
/// A POST's request head encoded once per deployment and path (request line, Host, credentials, extra
/// headers, content type): per request only Content-Length, traceparent and at most one client-supplied
/// header are written after it.
/// </summary>
internal sealed class Http1RequestHead
{
    private static readonly Encoding Latin1 = Encoding.Latin1;
    private readonly byte[] _prefix;

    private Http1RequestHead(byte[] prefix) => _prefix = prefix;

    /// <summary>The encoded head, or null when a header cannot be sent as-is on the wire (HttpClient then sends it, and decides).</summary>
    public static Http1RequestHead? TryCreate(Uri uri, IEnumerable<KeyValuePair<string, string>> headers)
    {
        var path = uri.GetComponents(UriComponents.PathAndQuery, UriFormat.UriEscaped);
        var text = new StringBuilder(256).Append("POST ").Append(path).Append(" HTTP/1.1\r\nHost: ").Append(uri.Authority).Append("\r\n");
        foreach (var (name, value) in headers)
        {
            if (!IsToken(name) || IsFraming(name) || !IsValue(value))
                return null;
            text.Append(name).Append(": ").Append(value).Append("\r\n");
        }
        text.Append("Content-Type: application/json\r\nContent-Length: ");
        var head = text.ToString();
        return IsValue(head.Replace("\r\n", "", StringComparison.Ordinal)) ? new Http1RequestHead(Latin1.GetBytes(head)) : null;
    }

    /// <summary>Writes the head for a body of <paramref name="length"/> bytes, with <paramref name="extra"/> (name: value) when given.</summary>
    public void Write(IBufferWriter<byte> output, long length, string? extraName, string? extraValue)
    {
        output.Write(_prefix);
        var span = output.GetSpan(24);
        Utf8Formatter.TryFormat(length, span, out var written);
        "\r\n"u8.CopyTo(span[written..]);
        output.Advance(written + 2);
        if (Observability.Otel.UpstreamTraceparent.Enabled && Observability.Otel.UpstreamTraceparent.TryGet(out var parent, out var state))
        {
            WriteHeader(output, "traceparent", parent);
            if (state is not null)
                WriteHeader(output, "tracestate", state);
        }
        if (extraName is not null && extraValue is not null)
            WriteHeader(output, extraName, extraValue);
        output.Write("\r\n"u8);
    }

    /// <summary>Whether a per-request header value can go on the wire as it is (no CR, LF or other controls; Latin-1).</summary>
    public static bool IsValue(string value)
    {
        foreach (var c in value)
        {
            if (c is < ' ' and not '\t' or '\x7f' or > '\xff')
                return false;
        }
        return true;
    }

    private static void WriteHeader(IBufferWriter<byte> output, string name, string value)
    {
        var span = output.GetSpan(name.Length + value.Length + 4);
        var at = Latin1.GetBytes(name, span);
        span[at++] = (byte)':';
        span[at++] = (byte)' ';
        at += Latin1.GetBytes(value, span[at..]);
        span[at++] = (byte)'\r';
        span[at++] = (byte)'\n';
        output.Advance(at);
    }

    private static bool IsToken(string name)
    {
        if (name.Length == 0)
            return false;
        foreach (var c in name)
        {
            if (c is <= ' ' or >= '\x7f' or ':' or '(' or ')' or ',' or '/' or ';' or '<' or '=' or '>' or '?' or '@' or '[' or '\\' or ']' or '{' or '}' or '"')
                return false;
        }
        return true;
    }

    // Headers the client frames the message with itself.
    private static bool IsFraming(string name) =>
        name.Equals("Host", StringComparison.OrdinalIgnoreCase) || name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)
        || name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase) || name.Equals("Connection", StringComparison.OrdinalIgnoreCase)
        || name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase) || name.Equals("Expect", StringComparison.OrdinalIgnoreCase)
        || name.Equals("Upgrade", StringComparison.OrdinalIgnoreCase) || name.Equals("Keep-Alive", StringComparison.OrdinalIgnoreCase)
        || name.Equals("TE", StringComparison.OrdinalIgnoreCase) || name.Equals("Proxy-Connection", StringComparison.OrdinalIgnoreCase);
}

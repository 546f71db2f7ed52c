using System.Buffers;
using System.Buffers.Text;

namespace EdgeGw.Api;

/// <summary>
/// Kestrel answers requests it cannot parse (431, 414, 400, 408…) itself, before any middleware,
/// as <c>HTTP/1.1 4xx Reason</c> with <c>Content-Length: 0</c> and <c>Connection: close</c>. This gives
/// such a response the OpenAI error envelope; any other bytes are left alone.
/// </summary>
internal static class ProtocolErrorResponse
{
    private static ReadOnlySpan<byte> ContentLength => "content-length:"u8;
    private static ReadOnlySpan<byte> ContentType => "content-type:"u8;
    private static ReadOnlySpan<byte> TransferEncoding => "transfer-encoding:"u8;
    private static ReadOnlySpan<byte> ConnectionClose => "connection: close"u8;

    /// <summary>Writes <paramref name="response"/> with a JSON body to <paramref name="output"/> when it is such a rejection.</summary>
    public static bool TryRewrite(ReadOnlySpan<byte> response, IBufferWriter<byte> output)
    {
        // "HTTP/1.1 431 R\r\n" + at least "Content-Length: 0\r\nConnection: close\r\n\r\n".
        if (response.Length < 40 || !response.StartsWith("HTTP/1.1 "u8))
            return false;
        var end = response.IndexOf("\r\n\r\n"u8);
        if (end < 0 || end + 4 != response.Length)
            return false;
        var statusLineEnd = response.IndexOf("\r\n"u8);
        var statusLine = response[..statusLineEnd];
        if (statusLine.Length < 13 || statusLine[12] != (byte)' ' || !Utf8Parser.TryParse(statusLine[9..12], out int status, out var used) || used != 3 || status < 400)
            return false;
        var headers = response[(statusLineEnd + 2)..(end + 2)];
        if (!IsEmptyAndClosing(headers))
            return false;

        var reason = System.Text.Encoding.ASCII.GetString(statusLine[13..]);
        var body = new ArrayBufferWriter<byte>(256);
        ErrorWriter.WriteOpenAiEnvelope(body, new GatewayError(status, Describe(status, reason),
            status == 500 ? "internal_server_error" : "invalid_request_error", status.ToString(System.Globalization.CultureInfo.InvariantCulture)));

        output.Write(response[..(statusLineEnd + 2)]);
        foreach (var range in headers.Split("\r\n"u8))
        {
            var line = headers[range];
            if (line.Length > 0 && !StartsWithIgnoreCase(line, ContentLength))
            {
                output.Write(line);
                output.Write("\r\n"u8);
            }
        }
        output.Write("Content-Type: application/json\r\nContent-Length: "u8);
        var digits = output.GetSpan(11);
        Utf8Formatter.TryFormat(body.WrittenCount, digits, out var written);
        output.Advance(written);
        output.Write("\r\n\r\n"u8);
        output.Write(body.WrittenSpan);
        return true;
    }

    private static bool IsEmptyAndClosing(ReadOnlySpan<byte> headers)
    {
        var (emptyBody, closing) = (false, false);
        foreach (var range in headers.Split("\r\n"u8))
        {
            var line = headers[range];
            if (StartsWithIgnoreCase(line, ContentType) || StartsWithIgnoreCase(line, TransferEncoding))
                return false;
            if (StartsWithIgnoreCase(line, ContentLength))
                emptyBody = line[ContentLength.Length..].Trim((byte)' ').SequenceEqual("0"u8);
            else if (line.Length == ConnectionClose.Length && StartsWithIgnoreCase(line, ConnectionClose))
                closing = true;
        }
        return emptyBody && closing;
    }

    private static bool StartsWithIgnoreCase(ReadOnlySpan<byte> line, ReadOnlySpan<byte> lowerPrefix) =>
        line.Length >= lowerPrefix.Length && System.Text.Ascii.EqualsIgnoreCase(line[..lowerPrefix.Length], lowerPrefix);

    private static string Describe(int status, string reason) => status switch
    {
        400 => $"{reason}: the request line or headers are malformed (rejected by the HTTP server before the gateway read the request)",
        408 => $"{reason}: the request headers did not arrive within the request-headers timeout (EDGEGW_REQUEST_HEADERS_TIMEOUT)",
        414 => $"{reason}: the request line is over the HTTP server's 8 KB limit",
        431 => $"{reason}: the request headers are over the HTTP server's limit (32 KB in total, 100 headers)",
        505 => $"{reason}: only HTTP/1.x and HTTP/2 are served",
        _ => $"{reason}: rejected by the HTTP server before the gateway read the request",
    };
}

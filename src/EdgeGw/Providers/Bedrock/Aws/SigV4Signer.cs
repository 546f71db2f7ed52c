using System.Buffers;
using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;

namespace EdgeGw.Providers.Bedrock.Aws;

/// <summary>
/// AWS Signature Version 4 for one region and service, over <see cref="HMACSHA256"/> and <see cref="SHA256"/>
/// one-shot calls (no SDK). Signs <c>host</c>, <c>content-type</c> and the <c>x-amz-*</c> headers, as LiteLLM
/// does, so headers a proxy adds or rewrites later cannot break the signature. The signing key is derived once
/// per credential and day; a signature then costs two SHA-256 and one HMAC over stack buffers.
/// </summary>
internal sealed class SigV4Signer(string region, string service, TimeProvider time)
{
    private const string Algorithm = "AWS4-HMAC-SHA256";
    private const int StackLimit = 2048;

    private SigningKey? _key;
    private AmzDate? _date;

    public string Region => region;
    public string Service => service;

    public void Sign(HttpRequestMessage message, ReadOnlySpan<byte> body, AwsCredentials credentials) =>
        Sign(message, body, credentials, time.GetUtcNow());

    /// <summary>Adds <c>X-Amz-Date</c>, <c>X-Amz-Security-Token</c> (session credentials) and <c>Authorization</c>; earlier ones are replaced.</summary>
    public void Sign(HttpRequestMessage message, ReadOnlySpan<byte> body, AwsCredentials credentials, DateTimeOffset now)
    {
        var headers = message.Headers;
        headers.Remove("Authorization");
        headers.Remove("X-Amz-Date");
        headers.Remove("X-Amz-Security-Token");
        var amzDate = AmzDateFor(now);
        headers.TryAddWithoutValidation("X-Amz-Date", amzDate);
        if (credentials.SessionToken is { } token)
            headers.TryAddWithoutValidation("X-Amz-Security-Token", token);

        var uri = message.RequestUri ?? throw new InvalidOperationException("A request to sign needs its URI.");
        var signed = ArrayPool<SignedHeader>.Shared.Rent(8);
        try
        {
            var count = CollectHeaders(message, uri, ref signed);
            var query = uri.Query.AsSpan();
            if (query.StartsWith('?'))
                query = query[1..];
            var authorization = Authorization(message.Method.Method, uri.AbsolutePath, query, signed.AsSpan(0, count), body, credentials, amzDate, now);
            headers.TryAddWithoutValidation("Authorization", authorization);
        }
        finally
        {
            signed.AsSpan().Clear();
            ArrayPool<SignedHeader>.Shared.Return(signed);
        }
    }

    /// <summary>
    /// The <c>Authorization</c> value for a request whose path is <paramref name="pathAsSent"/> exactly as it goes on the
    /// wire: AWS URI-encodes it once more for the canonical request (so a model id's <c>%3A</c> signs as <c>%253A</c>,
    /// like botocore), which is the "encode each segment twice" rule of non-S3 services.
    /// </summary>
    public string Authorization(string method, ReadOnlySpan<char> pathAsSent, ReadOnlySpan<char> query, Span<SignedHeader> headers,
        ReadOnlySpan<byte> body, AwsCredentials credentials, string amzDate, DateTimeOffset now)
    {
        headers.Sort(static (a, b) => SignedHeader.CompareNames(a.Name, b.Name));
        var key = KeyFor(credentials.SecretAccessKey, now);

        var estimate = 256 + method.Length + SigV4Encoding.MaxEncodedLength(pathAsSent.Length) + SigV4Encoding.MaxEncodedLength(query.Length);
        foreach (var header in headers)
            estimate += 2 * (header.Name.Length + 2) + 3 * header.Value.Length;
        byte[]? rented = null;
        var buffer = estimate <= StackLimit ? stackalloc byte[StackLimit] : (rented = ArrayPool<byte>.Shared.Rent(estimate));
        try
        {
            Span<byte> hash = stackalloc byte[32];
            SHA256.HashData(body, hash);
            var canonical = new SigV4Encoding(buffer);
            canonical.Utf8(method);
            canonical.Byte((byte)'\n');
            canonical.UriEncode(pathAsSent.IsEmpty ? "/" : pathAsSent, keepSlash: true);
            canonical.Byte((byte)'\n');
            CanonicalQuery(ref canonical, query);
            canonical.Byte((byte)'\n');
            foreach (var header in headers)
            {
                canonical.Lower(header.Name);
                canonical.Byte((byte)':');
                canonical.HeaderValue(header.Value);
                canonical.Byte((byte)'\n');
            }
            canonical.Byte((byte)'\n');
            WriteSignedHeaderNames(ref canonical, headers);
            canonical.Byte((byte)'\n');
            canonical.HexLower(hash);
            SHA256.HashData(canonical.Written, hash);

            Span<byte> stringToSign = stackalloc byte[Algorithm.Length + 1 + 16 + 1 + key.Scope.Length + 1 + 64];
            var sts = new SigV4Encoding(stringToSign);
            sts.Ascii("AWS4-HMAC-SHA256\n"u8);
            sts.Utf8(amzDate);
            sts.Byte((byte)'\n');
            sts.Ascii(key.ScopeUtf8);
            sts.Byte((byte)'\n');
            sts.HexLower(hash);
            Span<byte> signature = stackalloc byte[32];
            HMACSHA256.HashData(key.Key, sts.Written, signature);
            return AuthorizationValue(credentials.AccessKeyId, key.Scope, headers, signature);
        }
        finally
        {
            if (rented is not null)
                ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private static string AuthorizationValue(string accessKeyId, string scope, ReadOnlySpan<SignedHeader> headers, ReadOnlySpan<byte> signature)
    {
        var length = Algorithm.Length + " Credential=".Length + accessKeyId.Length + 1 + scope.Length + ", SignedHeaders=".Length + ", Signature=".Length + 64;
        foreach (var header in headers)
            length += header.Name.Length + 1;
        length--;
        Span<char> chars = length <= 1024 ? stackalloc char[length] : new char[length];
        var at = 0;
        Append(chars, ref at, Algorithm);
        Append(chars, ref at, " Credential=");
        Append(chars, ref at, accessKeyId);
        chars[at++] = '/';
        Append(chars, ref at, scope);
        Append(chars, ref at, ", SignedHeaders=");
        for (var i = 0; i < headers.Length; i++)
        {
            if (i > 0)
                chars[at++] = ';';
            at += headers[i].Name.AsSpan().ToLowerInvariant(chars[at..]);
        }
        Append(chars, ref at, ", Signature=");
        foreach (var b in signature)
        {
            chars[at++] = SigV4Encoding.HexLowerChars[b >> 4];
            chars[at++] = SigV4Encoding.HexLowerChars[b & 0xF];
        }
        return new string(chars[..at]);
    }

    private static void Append(Span<char> chars, ref int at, string text)
    {
        text.CopyTo(chars[at..]);
        at += text.Length;
    }

    private static void WriteSignedHeaderNames(ref SigV4Encoding canonical, ReadOnlySpan<SignedHeader> headers)
    {
        for (var i = 0; i < headers.Length; i++)
        {
            if (i > 0)
                canonical.Byte((byte)';');
            canonical.Lower(headers[i].Name);
        }
    }

    // Parameters sorted by encoded name then value; each decoded and re-encoded so any client spelling signs alike.
    private static void CanonicalQuery(ref SigV4Encoding canonical, ReadOnlySpan<char> query)
    {
        if (query.IsEmpty)
            return;
        var pairs = new List<(string Name, string Value)>();
        foreach (var range in query.Split('&'))
        {
            var pair = query[range];
            if (pair.IsEmpty)
                continue;
            var eq = pair.IndexOf('=');
            var name = eq < 0 ? pair : pair[..eq];
            var value = eq < 0 ? [] : pair[(eq + 1)..];
            pairs.Add((Encode(name), Encode(value)));
        }
        pairs.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name) is var c and not 0 ? c : string.CompareOrdinal(a.Value, b.Value));
        for (var i = 0; i < pairs.Count; i++)
        {
            if (i > 0)
                canonical.Byte((byte)'&');
            canonical.Utf8(pairs[i].Name);
            canonical.Byte((byte)'=');
            canonical.Utf8(pairs[i].Value);
        }

        static string Encode(ReadOnlySpan<char> raw)
        {
            var decoded = Uri.UnescapeDataString(raw.ToString());
            Span<byte> bytes = stackalloc byte[SigV4Encoding.MaxEncodedLength(decoded.Length)];
            var writer = new SigV4Encoding(bytes);
            writer.UriEncode(decoded, keepSlash: false);
            return Encoding.ASCII.GetString(writer.Written);
        }
    }

    private static int CollectHeaders(HttpRequestMessage message, Uri uri, ref SignedHeader[] signed)
    {
        var count = 0;
        Add(ref signed, ref count, new SignedHeader("host", message.Headers.Host ?? uri.Authority));
        if (message.Content?.Headers.NonValidated.TryGetValues("Content-Type", out var contentType) == true)
            Add(ref signed, ref count, new SignedHeader("content-type", contentType.ToString()));
        foreach (var header in message.Headers.NonValidated)
        {
            if (IsSigned(header.Key))
                Add(ref signed, ref count, new SignedHeader(header.Key, header.Value.ToString()));
        }
        return count;
    }

    // LiteLLM's _filter_headers_for_aws_signature, less x-amzn-trace-id which botocore never signs.
    private static bool IsSigned(string name) =>
        (name.StartsWith("x-amz-", StringComparison.OrdinalIgnoreCase) || name.StartsWith("x-amzn-", StringComparison.OrdinalIgnoreCase))
        && !name.Equals("x-amzn-trace-id", StringComparison.OrdinalIgnoreCase);

    private static void Add(ref SignedHeader[] signed, ref int count, SignedHeader header)
    {
        if (count == signed.Length)
        {
            var larger = ArrayPool<SignedHeader>.Shared.Rent(signed.Length * 2);
            signed.AsSpan().CopyTo(larger);
            signed.AsSpan().Clear();
            ArrayPool<SignedHeader>.Shared.Return(signed);
            signed = larger;
        }
        signed[count++] = header;
    }

    private string AmzDateFor(DateTimeOffset now)
    {
        var second = now.UtcTicks / TimeSpan.TicksPerSecond;
        var cached = Volatile.Read(ref _date);
        if (cached is not null && cached.Second == second)
            return cached.Text;
        var text = now.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        Volatile.Write(ref _date, new AmzDate(second, text));
        return text;
    }

    private SigningKey KeyFor(string secret, DateTimeOffset now)
    {
        var day = (int)(now.UtcTicks / TimeSpan.TicksPerDay);
        var cached = Volatile.Read(ref _key);
        if (cached is not null && cached.Day == day && (ReferenceEquals(cached.Secret, secret) || cached.Secret == secret))
            return cached;
        var key = SigningKey.Derive(secret, day, now, region, service);
        Volatile.Write(ref _key, key);
        return key;
    }

    private sealed record AmzDate(long Second, string Text);

    /// <summary>The derived key and credential scope for one secret on one UTC day.</summary>
    private sealed class SigningKey
    {
        public required string Secret { get; init; }
        public required int Day { get; init; }
        public required byte[] Key { get; init; }
        public required string Scope { get; init; }
        public required byte[] ScopeUtf8 { get; init; }

        public static SigningKey Derive(string secret, int day, DateTimeOffset now, string region, string service)
        {
            var date = now.UtcDateTime.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
            var key = HMACSHA256.HashData(Encoding.UTF8.GetBytes("AWS4" + secret), Encoding.UTF8.GetBytes(date));
            key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(region));
            key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(service));
            key = HMACSHA256.HashData(key, "aws4_request"u8);
            var scope = $"{date}/{region}/{service}/aws4_request";
            return new SigningKey { Secret = secret, Day = day, Key = key, Scope = scope, ScopeUtf8 = Encoding.UTF8.GetBytes(scope) };
        }
    }
}

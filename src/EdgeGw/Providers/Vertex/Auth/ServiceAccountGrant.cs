using System.Buffers;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text.Json;

namespace EdgeGw.Providers.Vertex.Auth;

/// <summary>
/// Google's service-account flow: a JWT signed RS256 with the account's private key, traded for an
/// access token by the JWT-bearer grant (RFC 7523), as google-auth's <c>service_account.Credentials</c> does.
/// </summary>
internal sealed class ServiceAccountGrant(string clientEmail, string? privateKeyId, RSA key, Uri tokenUri, string description) : IGoogleGrant
{
    public const string Scope = "https://www.googleapis.com/auth/cloud-platform";
    public const string GrantType = "urn:ietf:params:oauth:grant-type:jwt-bearer";

    /// <summary>Google's maximum assertion lifetime.</summary>
    public static readonly TimeSpan AssertionLifetime = TimeSpan.FromHours(1);

    public Uri TokenUri => tokenUri;
    public string Description => description;
    public IReadOnlyList<string> Secrets => [];

    public string FormBody(DateTimeOffset now) =>
        $"grant_type={Uri.EscapeDataString(GrantType)}&assertion={Assertion(now)}";

    /// <summary><c>header.claims.signature</c>, each base64url; the audience is the token URI as the key file spells it.</summary>
    public string Assertion(DateTimeOffset now)
    {
        var output = new ArrayBufferWriter<byte>(1024);
        using (var json = new Utf8JsonWriter(output))
        {
            json.WriteStartObject();
            json.WriteString("alg"u8, "RS256"u8);
            json.WriteString("typ"u8, "JWT"u8);
            if (privateKeyId is not null)
                json.WriteString("kid"u8, privateKeyId);
            json.WriteEndObject();
        }
        var header = output.WrittenSpan.ToArray();
        output.ResetWrittenCount();
        var issuedAt = now.ToUnixTimeSeconds();
        using (var json = new Utf8JsonWriter(output))
        {
            json.WriteStartObject();
            json.WriteString("iss"u8, clientEmail);
            json.WriteString("scope"u8, Scope);
            json.WriteString("aud"u8, tokenUri.OriginalString);
            json.WriteNumber("iat"u8, issuedAt);
            json.WriteNumber("exp"u8, issuedAt + (long)AssertionLifetime.TotalSeconds);
            json.WriteEndObject();
        }

        var signingInput = new ArrayBufferWriter<byte>(2048);
        WriteBase64Url(signingInput, header);
        signingInput.Write("."u8);
        WriteBase64Url(signingInput, output.WrittenSpan);
        var signature = key.SignData(signingInput.WrittenSpan, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        signingInput.Write("."u8);
        WriteBase64Url(signingInput, signature);
        return System.Text.Encoding.ASCII.GetString(signingInput.WrittenSpan);
    }

    private static void WriteBase64Url(ArrayBufferWriter<byte> output, ReadOnlySpan<byte> data)
    {
        var written = Base64Url.EncodeToUtf8(data, output.GetSpan(Base64Url.GetEncodedLength(data.Length)));
        output.Advance(written);
    }
}

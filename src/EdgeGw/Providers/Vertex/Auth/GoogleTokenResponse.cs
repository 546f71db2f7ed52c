using System.Text.Json;

namespace EdgeGw.Providers.Vertex.Auth;

/// <summary>
/// A Google token endpoint's answer: <c>{"access_token","expires_in","token_type"}</c> on success,
/// <c>{"error","error_description"}</c> (RFC 6749 §5.2) on failure. Not a record: a generated ToString would print the token.
/// </summary>
internal readonly struct GoogleTokenResponse(string? accessToken, long? expiresIn, string? tokenType, string? error, string? errorDescription)
{
    public string? AccessToken { get; } = accessToken;
    public long? ExpiresIn { get; } = expiresIn;
    public string? TokenType { get; } = tokenType;
    public string? Error { get; } = error;
    public string? ErrorDescription { get; } = errorDescription;

    /// <summary>Reads the fields it knows; null when <paramref name="json"/> is not a JSON object.</summary>
    public static GoogleTokenResponse? Parse(ReadOnlySpan<byte> json)
    {
        string? accessToken = null, tokenType = null, error = null, description = null;
        long? expiresIn = null;
        var reader = new Utf8JsonReader(json);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                return null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.ValueSpan;
                reader.Read();
                if (name.SequenceEqual("expires_in"u8))
                {
                    // Google sends a number; some proxies send it as a string.
                    if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var seconds))
                        expiresIn = seconds;
                    else if (reader.TokenType == JsonTokenType.String && long.TryParse(reader.GetString(), System.Globalization.CultureInfo.InvariantCulture, out seconds))
                        expiresIn = seconds;
                }
                else if (reader.TokenType != JsonTokenType.String)
                    reader.Skip();
                else if (name.SequenceEqual("access_token"u8)) accessToken = reader.GetString();
                else if (name.SequenceEqual("token_type"u8)) tokenType = reader.GetString();
                else if (name.SequenceEqual("error"u8)) error = reader.GetString();
                else if (name.SequenceEqual("error_description"u8)) description = reader.GetString();
            }
            if (reader.TokenType != JsonTokenType.EndObject)
                return null;
        }
        catch (JsonException)
        {
            return null;
        }
        return new GoogleTokenResponse(accessToken, expiresIn, tokenType, error, description);
    }
}

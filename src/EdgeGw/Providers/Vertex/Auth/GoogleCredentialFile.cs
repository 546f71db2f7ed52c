using System.Text.Json;

namespace EdgeGw.Providers.Vertex.Auth;

/// <summary>
/// The fields EdgeGw reads from a Google credential JSON (a service-account key file or gcloud's
/// <c>authorized_user</c> file); everything else in the file is skipped. A class, not a record: a generated
/// ToString would print the private key.
/// </summary>
internal sealed class GoogleCredentialFile
{
    public string? Type { get; private set; }
    public string? ProjectId { get; private set; }
    public string? QuotaProjectId { get; private set; }
    public string? PrivateKeyId { get; private set; }
    public string? PrivateKey { get; private set; }
    public string? ClientEmail { get; private set; }
    public string? ClientId { get; private set; }
    public string? ClientSecret { get; private set; }
    public string? RefreshToken { get; private set; }
    public string? TokenUri { get; private set; }

    /// <summary>Parses <paramref name="json"/>; a problem is described by position only, never by the text (it holds a key).</summary>
    public static GoogleCredentialFile? Parse(ReadOnlySpan<byte> json, out string? problem)
    {
        var file = new GoogleCredentialFile();
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                problem = "is not a JSON object";
                return null;
            }
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.ValueSpan;
                reader.Read();
                if (reader.TokenType != JsonTokenType.String)
                {
                    reader.Skip();
                    continue;
                }
                if (name.SequenceEqual("type"u8)) file.Type = reader.GetString();
                else if (name.SequenceEqual("project_id"u8)) file.ProjectId = reader.GetString();
                else if (name.SequenceEqual("quota_project_id"u8)) file.QuotaProjectId = reader.GetString();
                else if (name.SequenceEqual("private_key_id"u8)) file.PrivateKeyId = reader.GetString();
                else if (name.SequenceEqual("private_key"u8)) file.PrivateKey = reader.GetString();
                else if (name.SequenceEqual("client_email"u8)) file.ClientEmail = reader.GetString();
                else if (name.SequenceEqual("client_id"u8)) file.ClientId = reader.GetString();
                else if (name.SequenceEqual("client_secret"u8)) file.ClientSecret = reader.GetString();
                else if (name.SequenceEqual("refresh_token"u8)) file.RefreshToken = reader.GetString();
                else if (name.SequenceEqual("token_uri"u8)) file.TokenUri = reader.GetString();
            }
            if (reader.TokenType != JsonTokenType.EndObject)
            {
                problem = "is not a JSON object";
                return null;
            }
        }
        catch (JsonException e)
        {
            // The exception's message quotes the offending bytes: name the position instead.
            problem = $"is not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1})";
            return null;
        }
        problem = null;
        return file;
    }
}

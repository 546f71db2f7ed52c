namespace EdgeGw.Providers.Bedrock.Aws;

/// <summary>
/// Static keys from one profile of the shared credentials file (<c>~/.aws/credentials</c>, or
/// <c>AWS_SHARED_CREDENTIALS_FILE</c>): the INI <c>[name]</c> section's <c>aws_access_key_id</c>,
/// <c>aws_secret_access_key</c> and <c>aws_session_token</c>. Read on first use and kept.
/// </summary>
internal sealed class AwsProfileFile(string path, string profile, string whenMissing) : AwsCredentialSource
{
    private AwsCredentials? _credentials;

    public override ValueTask<AwsCredentials> GetAsync(CancellationToken cancellationToken) =>
        Volatile.Read(ref _credentials) is { } credentials ? new(credentials) : Load();

    private ValueTask<AwsCredentials> Load()
    {
        if (Read(path, profile) is not { } credentials)
            return ValueTask.FromException<AwsCredentials>(new AwsCredentialException(401, whenMissing));
        Volatile.Write(ref _credentials, credentials);
        return new(credentials);
    }

    public static string DefaultPath(Func<string, string?> environment) =>
        NonEmpty(environment("AWS_SHARED_CREDENTIALS_FILE"))
        ?? Path.Combine(NonEmpty(environment("HOME")) ?? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".aws", "credentials");

    private static string? NonEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    /// <summary>The profile's keys, or null when the file, the profile or its two keys are absent.</summary>
    public static AwsCredentials? Read(string path, string profile)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(path);
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
        string? keyId = null, secret = null, token = null;
        var inProfile = false;
        foreach (var raw in lines)
        {
            var line = raw.AsSpan().Trim();
            if (line.IsEmpty || line[0] is '#' or ';')
                continue;
            if (line[0] == '[' && line[^1] == ']')
            {
                inProfile = line[1..^1].Trim().SequenceEqual(profile);
                continue;
            }
            var eq = line.IndexOf('=');
            if (!inProfile || eq < 0)
                continue;
            var name = line[..eq].Trim();
            var value = line[(eq + 1)..].Trim().ToString();
            if (name.Equals("aws_access_key_id", StringComparison.OrdinalIgnoreCase))
                keyId = value;
            else if (name.Equals("aws_secret_access_key", StringComparison.OrdinalIgnoreCase))
                secret = value;
            else if (name.Equals("aws_session_token", StringComparison.OrdinalIgnoreCase))
                token = value;
        }
        return string.IsNullOrEmpty(keyId) || string.IsNullOrEmpty(secret) ? null : new AwsCredentials(keyId, secret, string.IsNullOrEmpty(token) ? null : token);
    }
}

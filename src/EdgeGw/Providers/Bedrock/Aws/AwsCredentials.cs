namespace EdgeGw.Providers.Bedrock.Aws;

/// <summary>
/// One set of AWS credentials: long-term keys (no <paramref name="SessionToken"/>) or temporary ones from
/// STS, which expire at <paramref name="Expiration"/>.
/// </summary>
internal sealed record AwsCredentials(string AccessKeyId, string SecretAccessKey, string? SessionToken = null, DateTimeOffset? Expiration = null)
{
    // The generated record ToString would print the secret and the token into any log or error that formats it.
    public override string ToString() =>
        $"AwsCredentials {{ AccessKeyId = {AccessKeyId}, SessionToken = {(SessionToken is null ? "none" : "set")}, Expiration = {Expiration?.ToString("O", System.Globalization.CultureInfo.InvariantCulture) ?? "none"} }}";
}

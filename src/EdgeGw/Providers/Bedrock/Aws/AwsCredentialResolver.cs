using System.Globalization;
using System.Text.RegularExpressions;

namespace EdgeGw.Providers.Bedrock.Aws;

/// <summary>
/// Picks a deployment's credential source in LiteLLM's order (<c>BaseAWSLLM.get_credentials</c>). Each
/// <c>aws_*</c> param falls back to its <c>AWS_*</c> variable; then the first that applies wins:
/// <list type="number">
/// <item><c>aws_web_identity_token</c> + <c>aws_role_name</c>: STS AssumeRoleWithWebIdentity.</item>
/// <item><c>aws_role_name</c>: STS AssumeRole, signed with the keys below (or the ambient chain).</item>
/// <item><c>aws_profile_name</c>: that profile of the shared credentials file.</item>
/// <item><c>aws_access_key_id</c> + <c>aws_secret_access_key</c> (+ <c>aws_session_token</c>): static keys.</item>
/// <item>the ambient chain: <c>AWS_WEB_IDENTITY_TOKEN_FILE</c> + <c>AWS_ROLE_ARN</c> (EKS IRSA), else the
/// <c>AWS_PROFILE</c> (or <c>default</c>) profile of the shared credentials file.</item>
/// </list>
/// </summary>
internal static partial class AwsCredentialResolver
{
    public static AwsCredentialSource Resolve(ProviderContext context, string region)
    {
        var p = new Params(context.Deployment.OtherParams, context.Environment);
        var keyId = p.Get(BedrockParams.AccessKeyId, "AWS_ACCESS_KEY_ID");
        var secret = p.Get(BedrockParams.SecretAccessKey, "AWS_SECRET_ACCESS_KEY");
        var token = p.Get(BedrockParams.SessionToken, "AWS_SESSION_TOKEN");
        var role = p.Get(BedrockParams.RoleName, "AWS_ROLE_NAME");
        var webToken = p.Get(BedrockParams.WebIdentityToken, "AWS_WEB_IDENTITY_TOKEN");
        var profile = p.Get(BedrockParams.ProfileName, "AWS_PROFILE_NAME");
        // LiteLLM names a session when none is given; one name per deployment keeps CloudTrail readable.
        var session = p.Get(BedrockParams.SessionName, "AWS_SESSION_NAME")
            ?? "litellm-session-" + context.Time.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var sts = new Lazy<StsClient>(() => Sts(context, p, region));

        if (webToken is not null && role is not null)
            return new RefreshingCredentialSource(ct => sts.Value.AssumeRoleWithWebIdentityAsync(role, session, webToken, scopeToBedrock: true, ct), context.Time);
        if (role is not null)
        {
            var irsaRole = p.Env("AWS_ROLE_ARN");
            var irsaFile = p.Env("AWS_WEB_IDENTITY_TOKEN_FILE");
            // Already running as the role under IRSA: its web identity credentials are the role's (LiteLLM's _is_already_running_as_role).
            if (keyId is null && secret is null && irsaRole == role && irsaFile is not null)
                return WebIdentityFile(sts, irsaFile, role, session, context.Time);
            var baseSource = keyId is not null && secret is not null
                ? Static(keyId, secret, token)
                : Ambient(context, p, sts, session, $"aws_role_name is set but there are no credentials to call sts:AssumeRole with: set aws_access_key_id and aws_secret_access_key (or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY), AWS_WEB_IDENTITY_TOKEN_FILE with AWS_ROLE_ARN, or a profile in {AwsProfileFile.DefaultPath(p.Env)}");
            var externalId = p.Get(BedrockParams.ExternalId, "AWS_EXTERNAL_ID");
            return new RefreshingCredentialSource(async ct => await sts.Value.AssumeRoleAsync(await baseSource.GetAsync(ct), role, session, externalId, ct), context.Time);
        }
        if (profile is not null)
        {
            var path = AwsProfileFile.DefaultPath(p.Env);
            return new AwsProfileFile(path, profile, $"aws_profile_name '{profile}' has no aws_access_key_id and aws_secret_access_key in {path}");
        }
        if (keyId is not null && secret is not null)
            return Static(keyId, secret, token);
        var half = (keyId, secret) switch
        {
            (not null, null) => "aws_access_key_id is set without aws_secret_access_key; ",
            (null, not null) => "aws_secret_access_key is set without aws_access_key_id; ",
            _ => "",
        };
        return Ambient(context, p, sts, session,
            half + "no AWS credentials: set aws_access_key_id and aws_secret_access_key (or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY), "
            + $"aws_role_name, aws_profile_name, AWS_WEB_IDENTITY_TOKEN_FILE with AWS_ROLE_ARN, a profile in {AwsProfileFile.DefaultPath(p.Env)}, "
            + "or a Bedrock API key (api_key or AWS_BEARER_TOKEN_BEDROCK)");
    }

    private static AwsCredentialSource Static(string keyId, string secret, string? token) =>
        AwsCredentialSource.Static(new AwsCredentials(keyId, secret, token));

    /// <summary>What boto3's default chain finds once the environment keys are ruled out: IRSA, then the shared credentials file.</summary>
    private static AwsCredentialSource Ambient(ProviderContext context, Params p, Lazy<StsClient> sts, string session, string whenMissing)
    {
        var irsaRole = p.Env("AWS_ROLE_ARN");
        var irsaFile = p.Env("AWS_WEB_IDENTITY_TOKEN_FILE");
        if (irsaRole is not null && irsaFile is not null)
            return WebIdentityFile(sts, irsaFile, irsaRole, p.Env("AWS_ROLE_SESSION_NAME") ?? session, context.Time);
        return new AwsProfileFile(AwsProfileFile.DefaultPath(p.Env), p.Env("AWS_PROFILE") ?? "default", whenMissing);
    }

    // The projected token rotates, so it is read again for every refresh.
    private static RefreshingCredentialSource WebIdentityFile(Lazy<StsClient> sts, string file, string role, string session, TimeProvider time) =>
        new(async ct =>
        {
            string token;
            try
            {
                token = (await File.ReadAllTextAsync(file, ct)).Trim();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new AwsCredentialException(500, $"cannot read AWS_WEB_IDENTITY_TOKEN_FILE {file}: {e.Message}", e);
            }
            return await sts.Value.AssumeRoleWithWebIdentityAsync(role, session, token, scopeToBedrock: false, ct);
        }, time);

    private static StsClient Sts(ProviderContext context, Params p, string region)
    {
        var configured = p.Get(BedrockParams.StsEndpoint, "AWS_STS_ENDPOINT");
        Uri? configuredUri = null;
        if (configured is not null && !Uri.TryCreate(configured, UriKind.Absolute, out configuredUri))
            throw new AwsCredentialException(500, $"aws_sts_endpoint '{configured}' is not an absolute URL");
        // LiteLLM's _resolve_sts_region: the endpoint's own region, else AWS_REGION / AWS_DEFAULT_REGION, else the deployment's.
        var stsRegion = (configuredUri is not null && StsHostRegion().Match(configuredUri.Host) is { Success: true } m ? m.Groups[1].Value : null)
            ?? p.Env("AWS_REGION") ?? p.Env("AWS_DEFAULT_REGION") ?? region;
        var endpoint = configuredUri ?? new Uri($"https://sts.{stsRegion}.{BedrockEndpoint.DnsSuffix(stsRegion)}");
        return new StsClient(context.Clients, endpoint, stsRegion, context.Time);
    }

    [GeneratedRegex(@"(?:^|\.)sts(?:-fips)?\.([a-z0-9-]+)\.(?:amazonaws\.com(?:\.cn)?|vpce\.amazonaws\.com)", RegexOptions.CultureInvariant)]
    private static partial Regex StsHostRegion();

    /// <summary>A param from <c>litellm_params</c>, else its variable from the config's environment; empty counts as unset.</summary>
    private readonly struct Params(System.Collections.Frozen.FrozenDictionary<string, string> values, Func<string, string?> environment)
    {
        public string? Get(string param, string variable) =>
            values.TryGetValue(param, out var value) && value.Length > 0 ? value : Env(variable);

        public string? Env(string variable) => environment(variable) is { Length: > 0 } value ? value : null;
    }
}

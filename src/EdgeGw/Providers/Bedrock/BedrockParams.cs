using System.Collections.Frozen;

namespace EdgeGw.Providers.Bedrock;

/// <summary>LiteLLM's Bedrock <c>litellm_params</c> (credentials, region, endpoint), read from <see cref="Config.Deployment.OtherParams"/>.</summary>
internal static class BedrockParams
{
    public const string AccessKeyId = "aws_access_key_id";
    public const string SecretAccessKey = "aws_secret_access_key";
    public const string SessionToken = "aws_session_token";
    public const string RegionName = "aws_region_name";
    public const string RuntimeEndpoint = "aws_bedrock_runtime_endpoint";
    public const string RoleName = "aws_role_name";
    public const string SessionName = "aws_session_name";
    public const string WebIdentityToken = "aws_web_identity_token";
    public const string StsEndpoint = "aws_sts_endpoint";
    public const string ExternalId = "aws_external_id";
    public const string ProfileName = "aws_profile_name";

    public static readonly FrozenSet<string> Names = FrozenSet.Create(StringComparer.Ordinal,
        AccessKeyId, SecretAccessKey, SessionToken, RegionName, RuntimeEndpoint, RoleName, SessionName,
        WebIdentityToken, StsEndpoint, ExternalId, ProfileName);
}

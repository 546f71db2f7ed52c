using System.Security.Cryptography;
using System.Text;
using EdgeGw.Api;
using EdgeGw.Config;
using EdgeGw.Crypto;

namespace EdgeGw.Providers.Vertex.Auth;

/// <summary>
/// A <c>vertex_ai/</c> deployment's Google credential and project, found as LiteLLM finds them:
/// <c>vertex_credentials</c> (inline JSON, a YAML mapping kept as JSON, a file path, or <c>os.environ/…</c>),
/// then <c>VERTEXAI_CREDENTIALS</c>, then Application Default Credentials
/// (<c>GOOGLE_APPLICATION_CREDENTIALS</c>, then gcloud's <c>application_default_credentials.json</c>).
/// Loading never throws: a credential that cannot be used carries a <see cref="Problem"/>, which each
/// request gets as its error, so one bad deployment does not stop the gateway (LiteLLM fails per request too).
/// </summary>
internal sealed class GoogleCredentials
{
    public const string DefaultTokenUri = "https://oauth2.googleapis.com/token";

    private GoogleCredentials(string deploymentName, (IGoogleGrant Grant, string Key)? grant, string? projectId, string? problem)
    {
        DeploymentName = deploymentName;
        Grant = grant?.Grant;
        GrantKey = grant?.Key;
        ProjectId = projectId;
        Problem = problem;
        Error = problem is null ? null : GatewayError.Internal($"Vertex AI credentials for deployment '{deploymentName}': {problem}");
    }

    public string DeploymentName { get; }

    /// <summary>
    /// The project for Vertex URLs: <c>vertex_project</c>, <c>VERTEXAI_PROJECT</c>, then the credential's own
    /// (<c>project_id</c>, or <c>quota_project_id</c> for a user credential), with <c>GOOGLE_CLOUD_PROJECT</c>
    /// ahead of the file's for Application Default Credentials as google-auth has it; null when none names one.
    /// </summary>
    public string? ProjectId { get; }

    /// <summary>Why no access token can be had from this credential (no key material in it); null when usable.</summary>
    public string? Problem { get; }

    internal IGoogleGrant? Grant { get; }

    /// <summary>A digest naming the credential (never its text), under which deployments sharing it share one token.</summary>
    internal string? GrantKey { get; }

    /// <summary>The caller's error when <see cref="Problem"/> is set: the gateway's configuration, not the request, is wrong.</summary>
    public GatewayError? Error { get; }

    public static GoogleCredentials Load(Deployment deployment, Func<string, string?> environment)
    {
        var name = deployment.ModelName;
        var explicitProject = Param(deployment, VertexParams.Project) ?? Param(deployment, VertexParams.ProjectAlias)
            ?? NonEmpty(environment("VERTEXAI_PROJECT"));

        var (text, source) = Param(deployment, VertexParams.Credentials) is { } credentials ? (credentials, VertexParams.Credentials)
            : Param(deployment, VertexParams.CredentialsAlias) is { } alias ? (alias, VertexParams.CredentialsAlias)
            : NonEmpty(environment("VERTEXAI_CREDENTIALS")) is { } fromEnv ? (fromEnv, "VERTEXAI_CREDENTIALS")
            : (null, "");
        if (text is not null)
        {
            var (json, problem) = ReadInlineOrFile(text, source);
            return json is null
                ? new GoogleCredentials(name, null, explicitProject, problem)
                : FromJson(name, json, source, explicitProject, adcProject: null);
        }

        // Application Default Credentials, as google.auth.default() looks for them (the metadata server aside).
        var adcProject = NonEmpty(environment("GOOGLE_CLOUD_PROJECT")) ?? NonEmpty(environment("GCLOUD_PROJECT"));
        if (NonEmpty(environment("GOOGLE_APPLICATION_CREDENTIALS")) is { } path)
        {
            var (json, problem) = ReadFile(path, "GOOGLE_APPLICATION_CREDENTIALS");
            return json is null
                ? new GoogleCredentials(name, null, explicitProject ?? adcProject, problem)
                : FromJson(name, json, $"GOOGLE_APPLICATION_CREDENTIALS ({path})", explicitProject, adcProject);
        }
        if (GcloudDefaultFile(environment) is { } gcloudFile && File.Exists(gcloudFile))
        {
            var (json, problem) = ReadFile(gcloudFile, "gcloud's application default credentials");
            return json is null
                ? new GoogleCredentials(name, null, explicitProject ?? adcProject, problem)
                : FromJson(name, json, gcloudFile, explicitProject, adcProject);
        }
        return new GoogleCredentials(name, null, explicitProject ?? adcProject,
            "no Google credentials found: set litellm_params.vertex_credentials (service-account JSON, or the path of its file) " +
            "or GOOGLE_APPLICATION_CREDENTIALS (the path of a service-account key file)");
    }

    private static GoogleCredentials FromJson(string name, byte[] json, string source, string? explicitProject, string? adcProject)
    {
        var file = GoogleCredentialFile.Parse(json, out var problem);
        if (file is null)
            return new GoogleCredentials(name, null, explicitProject ?? adcProject, $"{source} {problem}");
        var project = explicitProject ?? adcProject ?? NonEmpty(file.ProjectId) ?? NonEmpty(file.QuotaProjectId);
        var grant = CreateGrant(file, source, out problem);
        return new GoogleCredentials(name, grant, project, problem);
    }

    private static (IGoogleGrant, string)? CreateGrant(GoogleCredentialFile file, string source, out string? problem)
    {
        var tokenUriText = NonEmpty(file.TokenUri) ?? DefaultTokenUri;
        if (!Uri.TryCreate(tokenUriText, UriKind.Absolute, out var tokenUri) || (tokenUri.Scheme != Uri.UriSchemeHttps && tokenUri.Scheme != Uri.UriSchemeHttp))
        {
            problem = $"{source}: token_uri is not an http(s) URL";
            return null;
        }
        switch (file.Type ?? "service_account")
        {
            case "service_account":
                if (NonEmpty(file.ClientEmail) is not { } email || NonEmpty(file.PrivateKey) is not { } pem)
                {
                    problem = $"{source}: a service account needs client_email and private_key";
                    return null;
                }
                if (ImportKey(pem) is not { } key)
                {
                    problem = $"{source}: private_key is not a PEM RSA private key";
                    return null;
                }
                problem = null;
                return (new ServiceAccountGrant(email, NonEmpty(file.PrivateKeyId), key, tokenUri, $"service account from {source}"),
                    Digest("service_account", email, file.PrivateKeyId, tokenUri.OriginalString, pem));
            case "authorized_user":
                if (NonEmpty(file.ClientId) is not { } clientId || NonEmpty(file.ClientSecret) is not { } secret || NonEmpty(file.RefreshToken) is not { } refresh)
                {
                    problem = $"{source}: an authorized_user credential needs client_id, client_secret and refresh_token";
                    return null;
                }
                problem = null;
                return (new AuthorizedUserGrant(clientId, secret, refresh, tokenUri, $"user credential from {source}"),
                    Digest("authorized_user", clientId, secret, tokenUri.OriginalString, refresh));
            case var other:
                problem = $"{source}: credential type '{Shorten(other)}' is not supported (service_account and authorized_user are)";
                return null;
        }
    }

    private static string Digest(params ReadOnlySpan<string?> parts) =>
        Convert.ToHexString(Sodium.Sha256(Encoding.UTF8.GetBytes(string.Join('\0', parts.ToArray()))));

    private static RSA? ImportKey(string pem)
    {
        var key = RSA.Create();
        try
        {
            key.ImportFromPem(pem);
            return key;
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            key.Dispose();
            return null;
        }
    }

    /// <summary>LiteLLM's order: an existing file's path, else the text itself as JSON.</summary>
    private static (byte[]? Json, string? Problem) ReadInlineOrFile(string text, string source)
    {
        var trimmed = text.AsSpan().TrimStart();
        if (!trimmed.StartsWith('{') && !trimmed.Contains('\n') && File.Exists(text))
            return ReadFile(text, source);
        if (trimmed.StartsWith('{'))
            return (Encoding.UTF8.GetBytes(text), null);
        // Not JSON: most likely a path that does not exist, but it could be a mangled secret, so only a path-like value is echoed.
        return LooksLikePath(text)
            ? (null, $"{source}: no file at '{text}' (it holds service-account JSON or the path of its file)")
            : (null, $"{source} is neither service-account JSON nor the path of an existing file");
    }

    private static (byte[]? Json, string? Problem) ReadFile(string path, string source)
    {
        try
        {
            return (File.ReadAllBytes(path), null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return (null, e is FileNotFoundException or DirectoryNotFoundException
                ? $"{source}: no file at '{path}'"
                : $"{source}: cannot read '{path}' ({e.GetType().Name})");
        }
    }

    private static bool LooksLikePath(string text) =>
        text.Length < 512 && (text.Contains('/', StringComparison.Ordinal) || text.Contains('\\', StringComparison.Ordinal))
        && !text.Contains("PRIVATE KEY", StringComparison.Ordinal) && !text.Any(char.IsWhiteSpace);

    /// <summary>Where <c>gcloud auth application-default login</c> writes its credential.</summary>
    private static string? GcloudDefaultFile(Func<string, string?> environment)
    {
        if (NonEmpty(environment("CLOUDSDK_CONFIG")) is { } config)
            return Path.Combine(config, "application_default_credentials.json");
        return NonEmpty(environment("HOME")) is { } home
            ? Path.Combine(home, ".config", "gcloud", "application_default_credentials.json")
            : null;
    }

    private static string? Param(Deployment deployment, string name) =>
        deployment.OtherParams.TryGetValue(name, out var value) ? NonEmpty(value) : null;

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";
}

using EdgeGw.Config;
using EdgeGw.Providers.Vertex.Auth;
using EdgeGw.Tests.Infrastructure;
using EdgeGw.Upstream;

namespace EdgeGw.Tests.Vertex;

/// <summary>Where a Vertex deployment's Google credential and project come from, in LiteLLM's order, and what a bad one says.</summary>
public sealed class GoogleCredentialsTests : IAsyncLifetime
{
    private readonly List<string> _files = [];
    private FakeGoogleTokenEndpoint _google = null!;

    public async Task InitializeAsync() => _google = await FakeGoogleTokenEndpoint.StartAsync();

    public async Task DisposeAsync()
    {
        foreach (var file in _files)
            File.Delete(file);
        await _google.DisposeAsync();
    }

    private string WriteKeyFile(string json)
    {
        var path = Path.Combine(Path.GetTempPath(), $"edgegw-sa-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, json);
        _files.Add(path);
        return path;
    }

    private static GoogleCredentials Load(Func<string, string?> env, params (string Key, string Value)[] otherParams) =>
        GoogleCredentials.Load(GoogleAccessTokensTests.VertexDeployment(otherParams), env);

    private static Deployment ParseDeployment(string litellmParams, Dictionary<string, string> env) =>
        ConfigLoader.Parse($"""
            model_list:
              - model_name: vertex-gemini
                litellm_params:
            {litellmParams}
            general_settings: {"{"} master_key: sk-m {"}"}
            """, name => env.GetValueOrDefault(name)).Deployments.Single();

    /// <summary>The credential works end to end: the token endpoint accepted its assertion.</summary>
    private static async Task AssertTokenAsync(GoogleCredentials credentials)
    {
        Assert.Null(credentials.Problem);
        using var clients = new UpstreamClients();
        using var message = new HttpRequestMessage(HttpMethod.Post, "https://aiplatform.googleapis.com/v1/x");
        var error = await new GoogleAccessTokens(credentials, clients, TimeProvider.System).ApplyAsync(message, ReadOnlyMemory<byte>.Empty, CancellationToken.None);
        Assert.Null(error);
        Assert.StartsWith("Bearer ya29.test-token-", message.Headers.Authorization?.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task InlineJson_UsedWithKeysProject()
    {
        var credentials = Load(_ => null, ("vertex_credentials", _google.ServiceAccountJson()));

        Assert.Equal("test-project", credentials.ProjectId);
        await AssertTokenAsync(credentials);
    }

    [Fact]
    public async Task PathToKeyFile_ReadFromDisk()
    {
        var credentials = Load(_ => null, ("vertex_credentials", WriteKeyFile(_google.ServiceAccountJson())));

        Assert.Equal("test-project", credentials.ProjectId);
        await AssertTokenAsync(credentials);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task OsEnvironReference_HoldingJsonOrPath_Used(bool path)
    {
        var json = _google.ServiceAccountJson();
        var deployment = ParseDeployment("""
                  model: vertex_ai/gemini-2.5-flash
                  vertex_credentials: os.environ/VERTEX_SA
            """, new() { ["VERTEX_SA"] = path ? WriteKeyFile(json) : json });

        await AssertTokenAsync(GoogleCredentials.Load(deployment, _ => null));
    }

    [Fact]
    public async Task YamlMappingPastedInline_Used()
    {
        var pem = string.Join("\n", _google.PrivateKeyPem.Split('\n').Select(line => "          " + line));
        var deployment = ParseDeployment($"""
                  model: vertex_ai/gemini-2.5-flash
                  vertex_credentials:
                    type: service_account
                    project_id: yaml-project
                    private_key_id: {_google.KeyId}
                    client_email: {FakeGoogleTokenEndpoint.ClientEmail}
                    token_uri: {_google.TokenUri}
                    private_key: |
            {pem}
            """, []);

        var credentials = GoogleCredentials.Load(deployment, _ => null);

        Assert.Equal("yaml-project", credentials.ProjectId);
        await AssertTokenAsync(credentials);
    }

    [Fact]
    public async Task GoogleApplicationCredentials_UsedWhenNoParam()
    {
        var path = WriteKeyFile(_google.ServiceAccountJson());

        var credentials = Load(name => name == "GOOGLE_APPLICATION_CREDENTIALS" ? path : null);

        Assert.Equal("test-project", credentials.ProjectId);
        await AssertTokenAsync(credentials);
    }

    [Fact]
    public void VertexCredentialsParam_WinsOverEnvironment()
    {
        var fromEnv = WriteKeyFile(_google.ServiceAccountJson(projectId: "env-project"));
        var env = new Dictionary<string, string> { ["GOOGLE_APPLICATION_CREDENTIALS"] = fromEnv, ["VERTEXAI_CREDENTIALS"] = fromEnv };

        var credentials = Load(env.GetValueOrDefault, ("vertex_credentials", _google.ServiceAccountJson(projectId: "param-project")));

        Assert.Equal("param-project", credentials.ProjectId);
    }

    [Fact]
    public void VertexaiCredentialsVariable_WinsOverApplicationDefault()
    {
        var env = new Dictionary<string, string>
        {
            ["VERTEXAI_CREDENTIALS"] = _google.ServiceAccountJson(projectId: "vertexai-project"),
            ["GOOGLE_APPLICATION_CREDENTIALS"] = WriteKeyFile(_google.ServiceAccountJson(projectId: "adc-project")),
        };

        Assert.Equal("vertexai-project", Load(env.GetValueOrDefault).ProjectId);
    }

    [Fact]
    public void VertexProjectParam_WinsOverKeysProject()
    {
        var env = new Dictionary<string, string> { ["VERTEXAI_PROJECT"] = "env-project" };

        var credentials = Load(env.GetValueOrDefault, ("vertex_credentials", _google.ServiceAccountJson()), ("vertex_project", "param-project"));

        Assert.Equal("param-project", credentials.ProjectId);
    }

    [Fact]
    public void VertexaiProjectVariable_WinsOverKeysProject()
    {
        var env = new Dictionary<string, string> { ["VERTEXAI_PROJECT"] = "env-project" };

        Assert.Equal("env-project", Load(env.GetValueOrDefault, ("vertex_credentials", _google.ServiceAccountJson())).ProjectId);
    }

    [Fact]
    public void GoogleCloudProject_WinsOverApplicationDefaultFilesProject()
    {
        var env = new Dictionary<string, string>
        {
            ["GOOGLE_APPLICATION_CREDENTIALS"] = WriteKeyFile(_google.ServiceAccountJson()),
            ["GOOGLE_CLOUD_PROJECT"] = "cloud-project",
        };

        Assert.Equal("cloud-project", Load(env.GetValueOrDefault).ProjectId);
    }

    [Fact]
    public void KeyWithoutProject_ProjectIsNull()
    {
        Assert.Null(Load(_ => null, ("vertex_credentials", _google.ServiceAccountJson(projectId: null))).ProjectId);
    }

    [Fact]
    public void MissingKeyFile_ProblemNamesPath()
    {
        var credentials = Load(_ => null, ("vertex_credentials", "/etc/edgegw/missing-sa.json"));

        Assert.Equal("vertex_credentials: no file at '/etc/edgegw/missing-sa.json' (it holds service-account JSON or the path of its file)", credentials.Problem);
        Assert.Equal(500, credentials.Error!.Status);
        Assert.Contains("'vertex-gemini'", credentials.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingApplicationDefaultFile_ProblemNamesVariable()
    {
        var credentials = Load(name => name == "GOOGLE_APPLICATION_CREDENTIALS" ? "/nowhere/sa.json" : null);

        Assert.Equal("GOOGLE_APPLICATION_CREDENTIALS: no file at '/nowhere/sa.json'", credentials.Problem);
    }

    [Fact]
    public void BrokenJson_ProblemGivesPositionNotContent()
    {
        var json = _google.ServiceAccountJson().Replace("\"client_email\"", "client_email", StringComparison.Ordinal);

        var credentials = Load(_ => null, ("vertex_credentials", json));

        Assert.NotNull(credentials.Problem);
        Assert.StartsWith("vertex_credentials is not valid JSON (line 1, byte ", credentials.Problem, StringComparison.Ordinal);
        Assert.DoesNotContain("PRIVATE", credentials.Error!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnreadableText_ProblemDoesNotEchoIt()
    {
        var credentials = Load(_ => null, ("vertex_credentials", "not json and no path s3cr3t-value"));

        Assert.Equal("vertex_credentials is neither service-account JSON nor the path of an existing file", credentials.Problem);
    }

    [Fact]
    public void GarbledPrivateKey_ProblemWithoutKeyMaterial()
    {
        var pem = _google.PrivateKeyPem;
        var garbled = pem[..40] + "!!" + pem[42..];

        var credentials = Load(_ => null, ("vertex_credentials", _google.ServiceAccountJson(privateKeyPem: garbled)));

        Assert.Equal("vertex_credentials: private_key is not a PEM RSA private key", credentials.Problem);
    }

    [Fact]
    public void ExternalAccountType_NamedAsUnsupported()
    {
        var credentials = Load(_ => null, ("vertex_credentials", """{"type":"external_account","audience":"//iam.googleapis.com/x"}"""));

        Assert.Equal("vertex_credentials: credential type 'external_account' is not supported (service_account and authorized_user are)", credentials.Problem);
    }

    [Fact]
    public void NoCredentialsAnywhere_ProblemSaysWhatToSet()
    {
        var credentials = Load(_ => null);

        Assert.StartsWith("no Google credentials found: set litellm_params.vertex_credentials", credentials.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProblemCredentials_EveryRequestGetsTheErrorWithoutCallingGoogle()
    {
        using var clients = new UpstreamClients();
        var tokens = new GoogleAccessTokens(Load(_ => null, ("vertex_credentials", "/etc/edgegw/missing-sa.json")), clients, TimeProvider.System);
        using var message = new HttpRequestMessage(HttpMethod.Post, "https://aiplatform.googleapis.com/v1/x");

        var error = await tokens.ApplyAsync(message, ReadOnlyMemory<byte>.Empty, CancellationToken.None);

        Assert.Equal("Vertex AI credentials for deployment 'vertex-gemini': vertex_credentials: no file at '/etc/edgegw/missing-sa.json' (it holds service-account JSON or the path of its file)", error?.Message);
        Assert.Empty(_google.Requests);
    }
}

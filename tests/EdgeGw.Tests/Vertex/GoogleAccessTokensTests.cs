using System.Collections.Frozen;
using EdgeGw.Api;
using EdgeGw.Config;
using EdgeGw.Providers.Vertex.Auth;
using EdgeGw.Tests.Infrastructure;
using EdgeGw.Upstream;

namespace EdgeGw.Tests.Vertex;

/// <summary>
/// Vertex access tokens from a service-account key: a JWT the loopback token endpoint verifies with the
/// key's public half, cached, refreshed before expiry, fetched once however many requests wait.
/// </summary>
public sealed class GoogleAccessTokensTests : IAsyncLifetime
{
    private readonly FakeTime _time = new(DateTimeOffset.UtcNow);
    private readonly UpstreamClients _clients = new();
    private FakeGoogleTokenEndpoint _google = null!;

    public async Task InitializeAsync()
    {
        _google = await FakeGoogleTokenEndpoint.StartAsync();
        _google.Now = _time.GetUtcNow;
    }

    public async Task DisposeAsync()
    {
        await _google.DisposeAsync();
        _clients.Dispose();
    }

    internal static Deployment VertexDeployment(params (string Key, string Value)[] otherParams) => new()
    {
        Index = 0,
        ModelName = "vertex-gemini",
        Provider = "vertex_ai",
        ModelId = "gemini-2.5-flash",
        Id = "vertex-gemini-0",
        OtherParams = otherParams.ToFrozenDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal),
    };

    private GoogleAccessTokens Tokens(string? credentialsJson = null) =>
        new(GoogleCredentials.Load(VertexDeployment(("vertex_credentials", credentialsJson ?? _google.ServiceAccountJson())), _ => null), _clients, _time);

    private static async Task<(string? Authorization, GatewayError? Error)> ApplyAsync(GoogleAccessTokens tokens)
    {
        using var message = new HttpRequestMessage(HttpMethod.Post, "https://us-central1-aiplatform.googleapis.com/v1/x:generateContent");
        var error = await tokens.ApplyAsync(message, ReadOnlyMemory<byte>.Empty, CancellationToken.None);
        return (message.Headers.TryGetValues("Authorization", out var values) ? string.Join(",", values) : null, error);
    }

    [Fact]
    public async Task FirstRequest_SendsBearerTokenFromVerifiedAssertion()
    {
        var tokens = Tokens();

        var (authorization, error) = await ApplyAsync(tokens);

        Assert.Null(error);
        Assert.Equal("Bearer ya29.test-token-1", authorization);
        Assert.Empty(_google.Rejections);
        var form = _google.Requests.Single();
        Assert.Equal("/token", form.PathAndQuery);
        Assert.StartsWith("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=", form.BodyText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SecondRequest_ReusesCachedToken()
    {
        var tokens = Tokens();

        await ApplyAsync(tokens);
        _time.Advance(TimeSpan.FromMinutes(30));
        var (authorization, error) = await ApplyAsync(tokens);

        Assert.Null(error);
        Assert.Equal("Bearer ya29.test-token-1", authorization);
        Assert.Single(_google.Requests);
    }

    [Fact]
    public async Task TokenWithinFiveMinutesOfExpiry_RefreshedInBackgroundWhileOldOneServes()
    {
        var tokens = Tokens();
        await ApplyAsync(tokens);

        _time.Advance(TimeSpan.FromSeconds(3599) - TimeSpan.FromMinutes(4));
        var (during, error) = await ApplyAsync(tokens);
        var after = during;
        for (var i = 0; i < 500 && after == during; i++)
        {
            await Task.Delay(10); // the background refresh lands between requests
            (after, _) = await ApplyAsync(tokens);
        }

        Assert.Null(error);
        Assert.Equal("Bearer ya29.test-token-1", during);
        Assert.Equal("Bearer ya29.test-token-2", after);
        Assert.Equal(2, _google.Issued);
        Assert.Empty(_google.Rejections); // the refresh's assertion carries the moved clock's iat
    }

    [Fact]
    public async Task ExpiredToken_RequestWaitsForNewOne()
    {
        var tokens = Tokens();
        await ApplyAsync(tokens);

        _time.Advance(TimeSpan.FromHours(2));
        var (authorization, error) = await ApplyAsync(tokens);

        Assert.Null(error);
        Assert.Equal("Bearer ya29.test-token-2", authorization);
    }

    [Fact]
    public async Task TwentyConcurrentRequests_MakeOneTokenCall()
    {
        var tokens = Tokens();
        _google.Hold();

        var requests = Enumerable.Range(0, 20).Select(_ => Task.Run(() => ApplyAsync(tokens))).ToArray();
        for (var i = 0; i < 500 && _google.Requests.Count == 0; i++)
            await Task.Delay(10);
        _google.Release();
        var results = await Task.WhenAll(requests);

        Assert.All(results, r => Assert.Equal(("Bearer ya29.test-token-1", (GatewayError?)null), r));
        Assert.Single(_google.Requests);
    }

    [Fact]
    public async Task TokenEndpointDown_ErrorNamesEndpointWithoutKeyMaterial()
    {
        _google.Failure = (503, "upstream connect error");
        var tokens = Tokens();

        var (authorization, error) = await ApplyAsync(tokens);

        Assert.Null(authorization);
        Assert.NotNull(error);
        Assert.Equal(500, error.Status);
        Assert.Contains(_google.TokenUri, error.Message, StringComparison.Ordinal);
        Assert.Contains("HTTP 503", error.Message, StringComparison.Ordinal);
        Assert.Contains("service account from vertex_credentials", error.Message, StringComparison.Ordinal);
        AssertNoSecrets(error.Message);
    }

    [Fact]
    public async Task TokenEndpointUnreachable_ErrorSaysSo()
    {
        string tokenUri;
        string json;
        await using (var gone = await FakeGoogleTokenEndpoint.StartAsync())
        {
            tokenUri = gone.TokenUri;
            json = gone.ServiceAccountJson();
        }

        var (_, error) = await ApplyAsync(Tokens(json));

        Assert.NotNull(error);
        Assert.Equal(500, error.Status);
        Assert.Contains($"{tokenUri} is unreachable", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task KeyNotMatchingTheAccount_Rejected401WithGooglesReason()
    {
        using var otherKey = System.Security.Cryptography.RSA.Create(2048);
        var tokens = Tokens(_google.ServiceAccountJson(privateKeyPem: otherKey.ExportPkcs8PrivateKeyPem()));

        var (authorization, error) = await ApplyAsync(tokens);

        Assert.Null(authorization);
        Assert.NotNull(error);
        Assert.Equal(401, error.Status);
        Assert.Equal("authentication_error", error.Type);
        Assert.Contains("invalid_grant: Invalid JWT Signature.", error.Message, StringComparison.Ordinal);
        Assert.Equal(["Invalid JWT Signature."], _google.Rejections);
        AssertNoSecrets(error.Message);
    }

    [Fact]
    public async Task RefreshFailsWhileTokenStillValid_OldTokenKeepsServing()
    {
        var tokens = Tokens();
        await ApplyAsync(tokens);
        _google.Failure = (500, """{"error":"internal_failure"}""");

        _time.Advance(TimeSpan.FromMinutes(57));
        var first = await ApplyAsync(tokens);
        for (var i = 0; i < 500 && _google.Requests.Count < 2; i++)
            await Task.Delay(10);
        var second = await ApplyAsync(tokens);

        Assert.Equal(("Bearer ya29.test-token-1", (GatewayError?)null), first);
        Assert.Equal(("Bearer ya29.test-token-1", (GatewayError?)null), second);
    }

    [Fact]
    public async Task FailedTokenCall_NotRepeatedUntilBackoffPasses()
    {
        _google.Failure = (503, "down");
        var tokens = Tokens();

        var (_, first) = await ApplyAsync(tokens);
        var (_, second) = await ApplyAsync(tokens);
        var callsInsideBackoff = _google.Requests.Count;
        _google.Failure = null;
        _time.Advance(TimeSpan.FromSeconds(2));
        var (authorization, third) = await ApplyAsync(tokens);

        Assert.NotNull(first);
        Assert.Same(first, second);
        Assert.Equal(1, callsInsideBackoff);
        Assert.Null(third);
        Assert.Equal("Bearer ya29.test-token-1", authorization);
    }

    [Fact]
    public async Task AuthorizedUserCredential_TradesRefreshToken()
    {
        var tokens = Tokens($$"""
            {"type":"authorized_user","client_id":"user-client","client_secret":"user-secret",
             "refresh_token":"user-refresh-token","quota_project_id":"quota-project","token_uri":"{{_google.TokenUri}}"}
            """);

        var (authorization, error) = await ApplyAsync(tokens);

        Assert.Null(error);
        Assert.Equal("Bearer ya29.test-token-1", authorization);
        Assert.Equal("quota-project", tokens.Credentials.ProjectId);
    }

    [Fact]
    public async Task AuthorizedUserRejected_ErrorCarriesNoSecret()
    {
        _google.Failure = (400, """{"error":"invalid_grant","error_description":"Bad Request for user-secret / user-refresh-token"}""");
        var tokens = Tokens($$"""
            {"type":"authorized_user","client_id":"user-client","client_secret":"user-secret",
             "refresh_token":"user-refresh-token","token_uri":"{{_google.TokenUri}}"}
            """);

        var (_, error) = await ApplyAsync(tokens);

        Assert.NotNull(error);
        Assert.Equal(401, error.Status);
        Assert.DoesNotContain("user-secret", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("user-refresh-token", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeploymentSetsItsOwnAuthorization_TokenNotFetched()
    {
        var tokens = Tokens();
        using var message = new HttpRequestMessage(HttpMethod.Post, "https://proxy.example/v1/x:generateContent");
        message.Headers.TryAddWithoutValidation("Authorization", "Bearer proxy-key");

        var error = await tokens.ApplyAsync(message, ReadOnlyMemory<byte>.Empty, CancellationToken.None);

        Assert.Null(error);
        Assert.Equal(["Bearer proxy-key"], message.Headers.GetValues("Authorization"));
        Assert.Empty(_google.Requests);
    }

    [Fact]
    public async Task DeploymentsSharingCredential_ShareOneToken()
    {
        var json = _google.ServiceAccountJson();
        var gemini = Tokens(json);
        // A reload, or another model_list entry, builds its own endpoint from the same key.
        var claude = new GoogleAccessTokens(GoogleCredentials.Load(VertexDeployment(("vertex_credentials", json)) with { ModelName = "vertex-claude" }, _ => null), _clients, _time);

        var first = await ApplyAsync(gemini);
        var second = await ApplyAsync(claude);

        Assert.Equal(("Bearer ya29.test-token-1", (GatewayError?)null), first);
        Assert.Equal(first, second);
        Assert.Single(_google.Requests);
    }

    [Fact]
    public async Task CachedToken_AllocatesNothingBeyondTheHeader()
    {
        var tokens = Tokens();
        await ApplyAsync(tokens);
        using var message = new HttpRequestMessage(HttpMethod.Post, "https://us-central1-aiplatform.googleapis.com/v1/x:generateContent");
        const string header = "Bearer ya29.test-token-1";

        var justTheHeader = Api.HotPathAllocationTests.AllocatedBy(() =>
        {
            message.Headers.TryAddWithoutValidation("Authorization", header);
            message.Headers.Remove("Authorization");
        });
        var applied = Api.HotPathAllocationTests.AllocatedBy(() =>
        {
            _ = tokens.ApplyAsync(message, ReadOnlyMemory<byte>.Empty, CancellationToken.None).Result;
            message.Headers.Remove("Authorization");
        });

        Assert.Equal(justTheHeader, applied);
        Assert.Single(_google.Requests);
    }

    private void AssertNoSecrets(string message)
    {
        Assert.DoesNotContain("PRIVATE KEY", message, StringComparison.Ordinal);
        Assert.DoesNotContain(_google.PrivateKeyPem.Split('\n')[1], message, StringComparison.Ordinal);
        Assert.DoesNotContain("assertion", message, StringComparison.Ordinal);
        Assert.DoesNotContain("eyJ", message, StringComparison.Ordinal); // a JWT's base64url header
    }
}

using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.WebUtilities;

namespace EdgeGw.Tests.Infrastructure;

/// <summary>
/// Google's OAuth2 token endpoint on loopback, for a service account whose RSA key the test generates.
/// It verifies each JWT-bearer assertion as Google does (RS256 signature against the public key, iss,
/// scope, aud, iat/exp) and answers <c>{"access_token","expires_in","token_type"}</c>; an assertion that
/// fails a check gets Google's 400 <c>invalid_grant</c> and is recorded in <see cref="Rejections"/>.
/// </summary>
public sealed class FakeGoogleTokenEndpoint : IAsyncDisposable
{
    public const string Scope = "https://www.googleapis.com/auth/cloud-platform";
    public const string ClientEmail = "edgegw-test@test-project.iam.gserviceaccount.com";
    public const string ProjectId = "test-project";

    private readonly RSA _key = RSA.Create(2048);
    private readonly FakeUpstream _upstream;
    private int _issued;
    private TaskCompletionSource? _hold;

    private FakeGoogleTokenEndpoint(FakeUpstream upstream)
    {
        _upstream = upstream;
        KeyId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(20));
        upstream.Handle(AnswerAsync);
    }

    public static async Task<FakeGoogleTokenEndpoint> StartAsync() => new(await FakeUpstream.StartAsync());

    public string TokenUri => _upstream.Url + "/token";
    public string KeyId { get; }

    /// <summary>The test key in PKCS#8 PEM, as Google's key files hold it: generated per test, never committed.</summary>
    public string PrivateKeyPem => _key.ExportPkcs8PrivateKeyPem();

    /// <summary>The clock the <c>iat</c>/<c>exp</c> checks read: the gateway's, when a test moves it.</summary>
    public Func<DateTimeOffset> Now { get; set; } = () => DateTimeOffset.UtcNow;

    /// <summary>Seconds each issued token lives (Google: 3599).</summary>
    public int ExpiresIn { get; set; } = 3599;

    /// <summary>When set, every request gets this status and body instead of a token.</summary>
    public (int Status, string Body)? Failure { get; set; }

    public IReadOnlyCollection<RecordedRequest> Requests => _upstream.Requests;
    public ConcurrentQueue<string> Rejections { get; } = new();
    public int Issued => Volatile.Read(ref _issued);

    /// <summary>The key file's JSON; <paramref name="privateKeyPem"/> replaces the key (a different key, or garbage).</summary>
    public string ServiceAccountJson(string? projectId = ProjectId, string? privateKeyPem = null)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream))
        {
            json.WriteStartObject();
            json.WriteString("type", "service_account");
            if (projectId is not null)
                json.WriteString("project_id", projectId);
            json.WriteString("private_key_id", KeyId);
            json.WriteString("private_key", privateKeyPem ?? PrivateKeyPem);
            json.WriteString("client_email", ClientEmail);
            json.WriteString("client_id", "100000000000000000001");
            json.WriteString("auth_uri", "https://accounts.google.com/o/oauth2/auth");
            json.WriteString("token_uri", TokenUri);
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>Holds every answer until <see cref="Release"/>: requests pile up behind one token call.</summary>
    public void Hold() => _hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Release() => _hold?.TrySetResult();

    private async Task AnswerAsync(HttpContext context, RecordedRequest request)
    {
        if (_hold is { } hold)
            await hold.Task.WaitAsync(TimeSpan.FromSeconds(30));
        if (Failure is { } failure)
        {
            await WriteAsync(context, failure.Status, failure.Body);
            return;
        }
        var form = QueryHelpers.ParseQuery(request.BodyText);
        var problem = request.Method != "POST" ? "not a POST"
            : !request.Headers.GetValueOrDefault("content-type", "").StartsWith("application/x-www-form-urlencoded", StringComparison.Ordinal) ? "not a form body"
            : form.GetValueOrDefault("grant_type").ToString() switch
            {
                "urn:ietf:params:oauth:grant-type:jwt-bearer" => CheckAssertion(form.GetValueOrDefault("assertion").ToString()),
                "refresh_token" => form.GetValueOrDefault("client_id") == "user-client" && form.GetValueOrDefault("client_secret") == "user-secret"
                    && form.GetValueOrDefault("refresh_token") == "user-refresh-token" ? null : "bad user credential",
                var other => $"unsupported grant_type '{other}'",
            };
        if (problem is not null)
        {
            Rejections.Enqueue(problem);
            await WriteAsync(context, 400, InvalidGrant(problem));
            return;
        }
        var n = Interlocked.Increment(ref _issued);
        await WriteAsync(context, 200, $$"""{"access_token":"ya29.test-token-{{n}}","expires_in":{{ExpiresIn}},"token_type":"Bearer"}""");
    }

    /// <summary>Google's checks of a service-account assertion; null when it passes.</summary>
    private string? CheckAssertion(string assertion)
    {
        var parts = assertion.Split('.');
        if (parts.Length != 3)
            return "assertion is not header.claims.signature";
        var signed = Encoding.ASCII.GetBytes($"{parts[0]}.{parts[1]}");
        if (!_key.VerifyData(signed, Base64Url.DecodeFromChars(parts[2]), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1))
            return "Invalid JWT Signature.";
        using var header = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[0]));
        using var claims = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[1]));
        var h = header.RootElement;
        var c = claims.RootElement;
        if (h.GetProperty("alg").GetString() != "RS256" || h.GetProperty("typ").GetString() != "JWT" || h.GetProperty("kid").GetString() != KeyId)
            return "bad JWT header";
        if (c.GetProperty("iss").GetString() != ClientEmail)
            return "bad iss";
        if (c.GetProperty("scope").GetString() != Scope)
            return "bad scope";
        if (c.GetProperty("aud").GetString() != TokenUri)
            return "bad aud";
        var iat = c.GetProperty("iat").GetInt64();
        var exp = c.GetProperty("exp").GetInt64();
        if (exp - iat != 3600)
            return "exp is not iat + 3600";
        if (Math.Abs(iat - Now().ToUnixTimeSeconds()) > 300)
            return "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe.";
        return null;
    }

    private static string InvalidGrant(string description)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream))
        {
            json.WriteStartObject();
            json.WriteString("error", "invalid_grant");
            json.WriteString("error_description", description);
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static async Task WriteAsync(HttpContext context, int status, string body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        await context.Response.WriteAsync(body);
    }

    public async ValueTask DisposeAsync()
    {
        Release();
        await _upstream.DisposeAsync();
        _key.Dispose();
    }
}

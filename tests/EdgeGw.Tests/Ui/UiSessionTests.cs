using System.Net;
using System.Text.Json;
using EdgeGw.Tests.Infrastructure;
using Microsoft.Extensions.Logging;

namespace EdgeGw.Tests.Ui;

/// <summary>The UI's login, session cookie and CSRF rules, as a browser (and an attacker's page) meets them.</summary>
public sealed class UiSessionTests
{
    private const string KeyGenerate = """{"key_alias":"from-the-ui"}""";

    [Fact]
    public async Task MasterKeyAsAdminPassword_SessionBodyAndStrictHttpOnlyCookie()
    {
        var time = new FakeTime();
        await using var gateway = await TestGateway.StartAsync(UiClient.Models, time: time);
        using var ui = new UiClient(gateway);

        var (response, body) = await ui.LoginAsync("admin", TestGateway.MasterKey);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var session = JsonDocument.Parse(body).RootElement;
        Assert.Equal("default_user_id", session.GetProperty("user_id").GetString());
        Assert.Equal("proxy_admin", session.GetProperty("user_role").GetString());
        Assert.Matches("^[A-Za-z0-9_-]{43}$", session.GetProperty("csrf_token").GetString());
        Assert.Equal(time.GetUtcNow().AddHours(24), session.GetProperty("expires_at").GetDateTimeOffset());
        var cookie = UiClient.SetCookie(response)!;
        Assert.Contains("; Path=/", cookie, StringComparison.Ordinal);
        Assert.Contains("; HttpOnly", cookie, StringComparison.Ordinal);
        Assert.Contains("; SameSite=Strict", cookie, StringComparison.Ordinal);
        Assert.Contains("; Max-Age=86400", cookie, StringComparison.Ordinal);
        Assert.DoesNotContain("Secure", cookie, StringComparison.Ordinal); // plain HTTP: a Secure cookie would never come back
        Assert.Equal("no-store", response.Headers.CacheControl!.ToString());
        Assert.DoesNotContain(TestGateway.MasterKey, body + cookie, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("admin", "sk-wrong")]
    [InlineData("root", TestGateway.MasterKey)]
    [InlineData("ADMIN", TestGateway.MasterKey)]
    [InlineData("admin", "")]
    public async Task WrongCredentials_401LiteLlmsMessageAndNoCookie(string username, string password)
    {
        await using var gateway = await TestGateway.StartAsync(UiClient.Models);
        using var ui = new UiClient(gateway);

        var (response, body) = await ui.LoginAsync(username, password);

        Assert.Equal(password.Length == 0 ? HttpStatusCode.BadRequest : HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Null(UiClient.SetCookie(response));
        var error = JsonDocument.Parse(body).RootElement.GetProperty("error");
        if (password.Length > 0)
            Assert.StartsWith("Invalid credentials used to access UI.", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        else
            Assert.Equal("password", error.GetProperty("param").GetString());
    }

    [Fact]
    public async Task UiUsernameAndPassword_LogInAndMasterKeyIsThenNotThePassword()
    {
        await using var gateway = await TestGateway.StartAsync(UiClient.Models,
            "environment_variables: { UI_USERNAME: ops, UI_PASSWORD: correct-horse-battery }");
        using var ui = new UiClient(gateway);

        var (master, _) = await ui.LoginAsync("admin", TestGateway.MasterKey);
        var (otherUser, _) = await ui.LoginAsync("admin", "correct-horse-battery");
        var (ok, body) = await ui.LoginAsync("ops", "correct-horse-battery");

        // LiteLLM's rule: UI_PASSWORD replaces the master key as the password, it is not one more.
        Assert.Equal(HttpStatusCode.Unauthorized, master.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, otherUser.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal("proxy_admin", JsonDocument.Parse(body).RootElement.GetProperty("user_role").GetString());
    }

    [Fact]
    public async Task FiveWrongPasswords_429WithRetryAfterUntilTheMinuteEnds()
    {
        var time = new FakeTime();
        await using var gateway = await TestGateway.StartAsync(UiClient.Models, time: time);
        using var ui = new UiClient(gateway);

        for (var i = 0; i < 5; i++)
            Assert.Equal(HttpStatusCode.Unauthorized, (await ui.LoginAsync("admin", $"guess-{i}")).Response.StatusCode);
        time.Advance(TimeSpan.FromSeconds(20));
        var (limited, body) = await ui.LoginAsync("admin", TestGateway.MasterKey); // even the right password waits

        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(40), limited.Headers.RetryAfter!.Delta);
        Assert.Equal("rate_limit_error", JsonDocument.Parse(body).RootElement.GetProperty("error").GetProperty("type").GetString());

        time.Advance(TimeSpan.FromSeconds(40));
        Assert.Equal(HttpStatusCode.OK, (await ui.LoginAsync("admin", TestGateway.MasterKey)).Response.StatusCode);
    }

    [Fact]
    public async Task SessionCookie_AuthenticatesAdminApiAsTheMasterKey()
    {
        await using var gateway = await TestGateway.StartAsync(UiClient.Models);
        using var ui = new UiClient(gateway);
        using (var anonymous = await ui.GetAsync("/key/list"))
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        await ui.LoginAsync("admin", TestGateway.MasterKey);

        foreach (var path in new[] { "/key/list", "/health", "/model/info", "/v1/models", "/ui/session" })
        {
            using var response = await ui.GetAsync(path);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
        using var session = await ui.GetAsync("/ui/session");
        Assert.Equal(ui.Csrf, JsonDocument.Parse(await session.Content.ReadAsStringAsync()).RootElement.GetProperty("csrf_token").GetString());
    }

    [Fact]
    public async Task CookiePostWithoutCsrfToken_403WithItTheKeyIsMade()
    {
        await using var gateway = await TestGateway.StartAsync(UiClient.Models);
        using var ui = new UiClient(gateway);
        await ui.LoginAsync("admin", TestGateway.MasterKey);
        var csrf = ui.Csrf!;

        using var missing = await ui.SendAsync(HttpMethod.Post, "/key/generate", KeyGenerate, withCsrf: false);
        ui.Csrf = csrf[..^2] + (csrf[^2] == 'A' ? "BA" : "AA");
        using var wrong = await ui.SendAsync(HttpMethod.Post, "/key/generate", KeyGenerate);
        ui.Csrf = csrf;
        using var chat = await ui.SendAsync(HttpMethod.Post, "/v1/chat/completions", """{"model":"mock-gpt","messages":[{"role":"user","content":"hi"}]}""", withCsrf: false);
        using var ok = await ui.SendAsync(HttpMethod.Post, "/key/generate", KeyGenerate);

        foreach (var refused in new[] { missing, wrong, chat })
        {
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            var error = JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement.GetProperty("error");
            Assert.Contains("X-CSRF-Token", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        }
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        var keys = await gateway.GetAdminAsync("/key/list?return_full_object=true");
        Assert.Contains("from-the-ui", keys.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TamperedOrExpiredSession_401()
    {
        var time = new FakeTime();
        await using var gateway = await TestGateway.StartAsync(UiClient.Models, time: time);
        using var ui = new UiClient(gateway);
        await ui.LoginAsync("admin", TestGateway.MasterKey);
        var cookie = ui.Cookie!;

        // One character of the signed token changed (the MAC no longer matches), then garbage and an empty value.
        foreach (var bad in new[] { cookie[..10] + (cookie[10] == 'a' ? 'b' : 'a') + cookie[11..], "not-a-token", new string('A', 5000), "" })
        {
            ui.Cookie = bad;
            using var refused = await ui.GetAsync("/key/list");
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            Assert.Equal("auth_error", JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetProperty("type").GetString());
        }

        ui.Cookie = cookie;
        time.Advance(TimeSpan.FromHours(23));
        using (var stillValid = await ui.GetAsync("/key/list"))
            Assert.Equal(HttpStatusCode.OK, stillValid.StatusCode);
        time.Advance(TimeSpan.FromHours(1));
        using var expired = await ui.GetAsync("/key/list");
        using var session = await ui.GetAsync("/ui/session");
        Assert.Equal(HttpStatusCode.Unauthorized, expired.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, session.StatusCode);
    }

    [Fact]
    public async Task UiSessionDuration_SetsExpiry()
    {
        var time = new FakeTime();
        await using var gateway = await TestGateway.StartAsync(UiClient.Models, "environment_variables: { LITELLM_UI_SESSION_DURATION: 30m }", time: time);
        using var ui = new UiClient(gateway);

        var (response, body) = await ui.LoginAsync("admin", TestGateway.MasterKey);

        Assert.Equal(time.GetUtcNow().AddMinutes(30), JsonDocument.Parse(body).RootElement.GetProperty("expires_at").GetDateTimeOffset());
        Assert.Contains("; Max-Age=1800", UiClient.SetCookie(response), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Logout_ClearsCookieAndTheOldCookieNoLongerWorks()
    {
        await using var gateway = await TestGateway.StartAsync(UiClient.Models);
        using var ui = new UiClient(gateway);
        await ui.LoginAsync("admin", TestGateway.MasterKey);

        using var logout = await ui.SendAsync(HttpMethod.Post, "/ui/logout");

        Assert.Equal(HttpStatusCode.OK, logout.StatusCode);
        var cleared = UiClient.SetCookie(logout)!;
        Assert.StartsWith("edgegw_ui=;", cleared, StringComparison.Ordinal);
        Assert.Contains("Max-Age=0", cleared, StringComparison.Ordinal);
        // A copy of the cookie kept from before the logout is refused.
        using var replayed = await ui.GetAsync("/key/list");
        using var session = await ui.GetAsync("/ui/session");
        Assert.Equal(HttpStatusCode.Unauthorized, replayed.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, session.StatusCode);
    }

    [Fact]
    public async Task AuthorizationHeader_WinsOverTheCookie()
    {
        await using var gateway = await TestGateway.StartAsync(UiClient.Models);
        using var ui = new UiClient(gateway);
        await ui.LoginAsync("admin", TestGateway.MasterKey);

        using var response = await ui.GetAsync("/key/list", new Dictionary<string, string> { ["Authorization"] = "Bearer sk-not-a-key-0000" });

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task LoginOverTls_CookieIsSecure()
    {
        var directory = Directory.CreateTempSubdirectory("edgegw-ui-tls-").FullName;
        try
        {
            var (certFile, keyFile, raw) = SelfSignedCertificate.WritePem(directory);
            var config = EdgeGw.Config.ConfigLoader.Parse($"""
                model_list:
                {"  " + UiClient.Models.Trim().Replace("\n", "\n  ", StringComparison.Ordinal)}
                general_settings:
                  master_key: {TestGateway.MasterKey}
                """, _ => null);
            await using var app = EdgeGw.Api.GatewayHost.Build(config,
                new EdgeGw.Api.ListenOptions(IPAddress.Loopback, 0, EdgeGw.Api.ServerCertificate.Load(certFile, keyFile)),
                logging: l => l.ClearProviders(), databasePath: Path.Combine(directory, "gw.db"));
            await app.StartAsync();
            using var ui = new UiClient(EdgeGw.Api.GatewayHost.BoundAddress(app), SelfSignedCertificate.TrustingOnly(raw));

            var (response, _) = await ui.LoginAsync("admin", TestGateway.MasterKey);

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.EndsWith("; Secure", UiClient.SetCookie(response), StringComparison.Ordinal);
            await app.StopAsync();
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task MasterKey_NeverInAnyUiResponse()
    {
        await using var gateway = await TestGateway.StartAsync(UiClient.Models);
        using var ui = new UiClient(gateway);
        var seen = new List<string>();
        async Task Capture(HttpResponseMessage response)
        {
            seen.Add(response.Headers.ToString() + response.Content.Headers + await response.Content.ReadAsStringAsync());
            response.Dispose();
        }

        await Capture(await ui.GetAsync("/ui"));
        foreach (var file in EdgeGw.Ui.UiAssets.Embedded.Files.Keys)
            await Capture(await ui.GetAsync(EdgeGw.Ui.UiAssets.Embedded.Base + file));
        var (login, body) = await ui.LoginAsync("admin", TestGateway.MasterKey);
        seen.Add(login.Headers + body);
        await Capture(await ui.GetAsync("/ui/session"));
        await Capture(await ui.SendAsync(HttpMethod.Post, "/ui/logout"));

        Assert.All(seen, text => Assert.DoesNotContain(TestGateway.MasterKey, text, StringComparison.Ordinal));
        Assert.Equal(4 + EdgeGw.Ui.UiAssets.Embedded.Files.Count, seen.Count);
    }
}

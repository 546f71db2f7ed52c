using System.Net;
using System.Security.Cryptography;
using System.Text;
using EdgeGw.Tests.Infrastructure;

namespace EdgeGw.Tests.Keys;

public sealed class KeyLifecycleTests : IAsyncLifetime
{
    private readonly FakeTime _time = new();
    private TestGateway _gateway = null!;

    public async Task InitializeAsync() => _gateway = await TestGateway.StartAsync(AdminClient.CheapModel, time: _time);

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    private static string Sha256Hex(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    [Fact]
    public async Task Generate_ReturnsPlaintextOnceWithItsHashAsToken()
    {
        var created = await _gateway.PostAdminAsync("/key/generate", """{"key_alias":"ci","models":["cheap"],"max_budget":5,"metadata":{"env":"ci"}}""");

        var key = created.GetProperty("key").GetString()!;
        Assert.StartsWith("sk-", key, StringComparison.Ordinal);
        Assert.True(key.Length >= 35, key);
        Assert.Equal(Sha256Hex(key), created.GetProperty("token").GetString());
        Assert.Equal("sk-..." + key[^4..], created.GetProperty("key_name").GetString());
        Assert.Equal(5m, created.GetProperty("max_budget").GetDecimal());
        Assert.Equal("ci", created.GetProperty("metadata").GetProperty("env").GetString());

        var info = await _gateway.GetAdminAsync($"/key/info?key={key}");
        Assert.DoesNotContain(key, info.ToString(), StringComparison.Ordinal);
        Assert.Equal("ci", info.GetProperty("info").GetProperty("key_alias").GetString());
    }

    [Fact]
    public async Task Generate_TwoKeysDiffer()
    {
        var a = await _gateway.NewKeyAsync();
        var b = await _gateway.NewKeyAsync();
        Assert.NotEqual(a, b);
    }

    [Fact]
    public async Task Database_HoldsOnlyTheHash()
    {
        var path = TestGateway.NewDatabasePath();
        try
        {
            string key;
            await using (var gateway = await TestGateway.StartAsync(AdminClient.CheapModel, databasePath: path))
            {
                key = await gateway.NewKeyAsync();
                using var response = await gateway.ChatAsync(key);
            }

            var text = Encoding.Latin1.GetString(File.ReadAllBytes(path));
            Assert.DoesNotContain(key, text, StringComparison.Ordinal);
            Assert.Contains(Sha256Hex(key), text, StringComparison.Ordinal);
        }
        finally
        {
            TestGateway.DeleteDatabase(path);
        }
    }

    [Fact]
    public async Task VirtualKey_CanCallModels()
    {
        var key = await _gateway.NewKeyAsync();
        using var response = await _gateway.ChatAsync(key);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task UnknownKey_Is401WithLastFourCharactersOnly()
    {
        const string unknown = "sk-this-key-does-not-exist-wxyz";
        using var response = await _gateway.ChatAsync(unknown);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var error = await AdminClient.ErrorOf(response);
        var message = error.GetProperty("message").GetString()!;
        Assert.Contains("Invalid proxy server token passed", message, StringComparison.Ordinal);
        Assert.Contains("sk-...wxyz", message, StringComparison.Ordinal);
        Assert.DoesNotContain(unknown, message, StringComparison.Ordinal);
        Assert.Equal("auth_error", error.GetProperty("type").GetString());
    }

    [Fact]
    public async Task DeletedKey_Is401AtOnce()
    {
        var key = await _gateway.NewKeyAsync();
        using (var ok = await _gateway.ChatAsync(key))
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);

        var deleted = await _gateway.PostAdminAsync("/key/delete", $$"""{"keys":["{{key}}"]}""");
        Assert.Equal(Sha256Hex(key), deleted.GetProperty("deleted_keys")[0].GetString());

        using var response = await _gateway.ChatAsync(key);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        await _gateway.GetAdminAsync($"/key/info?key={key}", HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task DeleteByAlias_RemovesThatKeyOnly()
    {
        var doomed = await _gateway.NewKeyAsync("""{"key_alias":"doomed"}""");
        var kept = await _gateway.NewKeyAsync("""{"key_alias":"kept"}""");

        await _gateway.PostAdminAsync("/key/delete", """{"key_aliases":["doomed"]}""");

        using (var gone = await _gateway.ChatAsync(doomed))
            Assert.Equal(HttpStatusCode.Unauthorized, gone.StatusCode);
        using var ok = await _gateway.ChatAsync(kept);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
    }

    [Fact]
    public async Task BlockedKey_Is401UntilUnblocked()
    {
        var key = await _gateway.NewKeyAsync();

        var blocked = await _gateway.PostAdminAsync("/key/block", $$"""{"key":"{{key}}"}""");
        Assert.True(blocked.GetProperty("blocked").GetBoolean());
        using (var refused = await _gateway.ChatAsync(key))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            Assert.Contains("Key is blocked", (await AdminClient.ErrorOf(refused)).GetProperty("message").GetString(), StringComparison.Ordinal);
        }

        await _gateway.PostAdminAsync("/key/unblock", $$"""{"key":"{{key}}"}""");
        using var ok = await _gateway.ChatAsync(key);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
    }

    [Fact]
    public async Task GeneratedBlocked_IsRefused()
    {
        var key = await _gateway.NewKeyAsync("""{"blocked":true}""");
        using var refused = await _gateway.ChatAsync(key);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }

    [Fact]
    public async Task ExpiredKey_Is401WithExpiryTime()
    {
        var created = await _gateway.PostAdminAsync("/key/generate", """{"duration":"1h"}""");
        var key = created.GetProperty("key").GetString()!;
        Assert.Equal("2026-03-01T10:00:00.000Z", created.GetProperty("expires").GetString());

        _time.Advance(TimeSpan.FromMinutes(59));
        using (var ok = await _gateway.ChatAsync(key))
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);

        _time.Advance(TimeSpan.FromMinutes(1));
        using var expired = await _gateway.ChatAsync(key);
        Assert.Equal(HttpStatusCode.Unauthorized, expired.StatusCode);
        var message = (await AdminClient.ErrorOf(expired)).GetProperty("message").GetString()!;
        Assert.StartsWith("Authentication Error - Expired Key. Key Expiry time 2026-03-01T10:00:00", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UpdateDuration_ExtendsAnExpiredKey()
    {
        var key = await _gateway.NewKeyAsync("""{"duration":"1m"}""");
        _time.Advance(TimeSpan.FromMinutes(2));
        using (var expired = await _gateway.ChatAsync(key))
            Assert.Equal(HttpStatusCode.Unauthorized, expired.StatusCode);

        await _gateway.PostAdminAsync("/key/update", $$"""{"key":"{{key}}","duration":"1d"}""");
        using var ok = await _gateway.ChatAsync(key);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
    }

    [Fact]
    public async Task Update_ChangesSettingsAndKeepsTheRest()
    {
        var key = await _gateway.NewKeyAsync("""{"key_alias":"a","max_budget":1,"rpm_limit":10}""");

        var updated = await _gateway.PostAdminAsync("/key/update", $$$"""{"key":"{{{key}}}","max_budget":2.5,"tpm_limit":1000,"metadata":{"x":1}}""");

        Assert.Equal(2.5m, updated.GetProperty("max_budget").GetDecimal());
        Assert.Equal(1000, updated.GetProperty("tpm_limit").GetInt32());
        Assert.Equal(10, updated.GetProperty("rpm_limit").GetInt32());
        Assert.Equal("a", updated.GetProperty("key_alias").GetString());
        Assert.Equal(1, updated.GetProperty("metadata").GetProperty("x").GetInt32());
    }

    [Fact]
    public async Task UpdateUnknownKey_Is404NamingKey()
    {
        var error = await _gateway.PostAdminAsync("/key/update", """{"key":"sk-nope-nope-nope-nope-nope","max_budget":1}""", HttpStatusCode.NotFound);
        Assert.Equal("key", error.GetProperty("error").GetProperty("param").GetString());
    }

    [Fact]
    public async Task List_PagesThroughKeysAsTokens()
    {
        var keys = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            keys.Add(await _gateway.NewKeyAsync());
            _time.Advance(TimeSpan.FromSeconds(1));
        }

        var page1 = await _gateway.GetAdminAsync("/key/list?page=1&size=2");
        var page3 = await _gateway.GetAdminAsync("/key/list?page=3&size=2");

        Assert.Equal(5, page1.GetProperty("total_count").GetInt32());
        Assert.Equal(3, page1.GetProperty("total_pages").GetInt32());
        // Newest first, as LiteLLM's list_keys orders them.
        Assert.Equal([Sha256Hex(keys[4]), Sha256Hex(keys[3])], page1.GetProperty("keys").EnumerateArray().Select(k => k.GetString()));
        Assert.Equal([Sha256Hex(keys[0])], page3.GetProperty("keys").EnumerateArray().Select(k => k.GetString()));
        var full = await _gateway.GetAdminAsync("/key/list?page=1&size=1&return_full_object=true");
        Assert.Equal(Sha256Hex(keys[4]), full.GetProperty("keys")[0].GetProperty("token").GetString());
    }

    [Fact]
    public async Task Regenerate_OldKeyStopsNewKeyWorksSpendKept()
    {
        var old = await _gateway.NewKeyAsync("""{"key_alias":"rotating"}""");
        using (var first = await _gateway.ChatAsync(old))
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);

        var regenerated = await _gateway.PostAdminAsync("/key/regenerate", $$"""{"key":"{{old}}"}""");
        var fresh = regenerated.GetProperty("key").GetString()!;

        Assert.NotEqual(old, fresh);
        Assert.Equal("rotating", regenerated.GetProperty("key_alias").GetString());
        Assert.Equal(AdminClient.ChatCost, regenerated.GetProperty("spend").GetDecimal());
        using (var refused = await _gateway.ChatAsync(old))
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        using (var ok = await _gateway.ChatAsync(fresh))
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal(2 * AdminClient.ChatCost, await _gateway.KeySpendAsync(fresh));
    }

    [Fact]
    public async Task VirtualKey_ReadsItsOwnInfoOnly()
    {
        var mine = await _gateway.NewKeyAsync("""{"key_alias":"mine"}""");
        var other = await _gateway.NewKeyAsync();

        var info = await _gateway.GetAdminAsync("/key/info", key: mine);
        Assert.Equal("mine", info.GetProperty("info").GetProperty("key_alias").GetString());
        await _gateway.GetAdminAsync($"/key/info?key={other}", HttpStatusCode.Forbidden, key: mine);
    }

    [Theory]
    [InlineData("POST", "/key/generate")]
    [InlineData("POST", "/key/update")]
    [InlineData("POST", "/key/delete")]
    [InlineData("GET", "/key/list")]
    [InlineData("POST", "/key/regenerate")]
    [InlineData("POST", "/key/block")]
    [InlineData("POST", "/key/unblock")]
    [InlineData("POST", "/team/new")]
    [InlineData("GET", "/team/info")]
    [InlineData("POST", "/team/update")]
    [InlineData("POST", "/team/delete")]
    [InlineData("GET", "/team/list")]
    [InlineData("POST", "/user/new")]
    [InlineData("GET", "/user/info")]
    [InlineData("POST", "/user/update")]
    [InlineData("POST", "/user/delete")]
    [InlineData("GET", "/spend/logs")]
    [InlineData("GET", "/global/spend/report")]
    [InlineData("GET", "/global/spend/models")]
    public async Task VirtualKeyOnAdminRoute_Is403(string method, string path)
    {
        var key = await _gateway.NewKeyAsync();
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
        if (method == "POST")
            request.Content = new StringContent("{}", Encoding.UTF8, "application/json");

        using var response = await _gateway.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("auth_error", (await AdminClient.ErrorOf(response)).GetProperty("type").GetString());
    }

    [Fact]
    public async Task NoKeyOnAdminRoute_Is401()
    {
        using var anonymous = new HttpClient { BaseAddress = _gateway.BaseAddress };
        using var response = await anonymous.PostAsync("/key/generate", new StringContent("{}"));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }
}

using System.Net;
using System.Text;
using EdgeGw.Tests.Infrastructure;

namespace EdgeGw.Tests.Config;

/// <summary><c>general_settings</c> keys that LiteLLM documents and EdgeGw honours.</summary>
public sealed class GeneralSettingsTests
{
    // Indented: these lines continue TestGateway's general_settings mapping.
    private const string CustomKeyHeader = "  litellm_key_header_name: X-Litellm-Key";

    private static async Task<HttpStatusCode> ChatWithHeaderAsync(TestGateway gateway, string header, string value)
    {
        using var client = new HttpClient { BaseAddress = gateway.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent(AdminClient.Chat, Encoding.UTF8, "application/json"),
        };
        request.Headers.TryAddWithoutValidation(header, value);
        using var response = await client.SendAsync(request);
        return response.StatusCode;
    }

    [Fact]
    public async Task CustomKeyHeader_IsWhereKeysAreRead()
    {
        await using var gateway = await TestGateway.StartAsync(AdminClient.CheapModel, CustomKeyHeader);
        using var admin = new HttpClient { BaseAddress = gateway.BaseAddress };
        admin.DefaultRequestHeaders.Add("X-Litellm-Key", TestGateway.MasterKey);
        using var created = await admin.PostAsync("/key/generate", new StringContent("{}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        var key = System.Text.Json.JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("key").GetString()!;

        Assert.Equal(HttpStatusCode.OK, await ChatWithHeaderAsync(gateway, "X-Litellm-Key", $"Bearer {key}"));
        Assert.Equal(HttpStatusCode.OK, await ChatWithHeaderAsync(gateway, "x-litellm-key", key));
        // As LiteLLM: with a custom header set, Authorization is not where keys are looked for.
        Assert.Equal(HttpStatusCode.Unauthorized, await ChatWithHeaderAsync(gateway, "Authorization", $"Bearer {key}"));
    }

    [Fact]
    public async Task WithoutCustomKeyHeader_TheUsualHeadersWork()
    {
        await using var gateway = await TestGateway.StartAsync(AdminClient.CheapModel);
        var key = await gateway.NewKeyAsync();
        Assert.Equal(HttpStatusCode.OK, await ChatWithHeaderAsync(gateway, "Authorization", $"Bearer {key}"));
        Assert.Equal(HttpStatusCode.Unauthorized, await ChatWithHeaderAsync(gateway, "X-Litellm-Key", key));
    }

    [Fact]
    public async Task EnforceUserParam_RequestWithoutUserIs401AndWithUserAnswers()
    {
        await using var gateway = await TestGateway.StartAsync(AdminClient.CheapModel, "  enforce_user_param: true");
        var key = await gateway.NewKeyAsync();

        using var refused = await gateway.ChatAsync(key);
        using var answered = await gateway.ChatAsync(key, """{"model":"cheap","user":"alice","messages":[{"role":"user","content":"hi"}]}""");

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        var error = await AdminClient.ErrorOf(refused);
        Assert.Equal("Authentication Error, 'user' param not passed in. 'enforce_user_param'=True", error.GetProperty("message").GetString());
        Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
    }

    [Fact]
    public async Task DisableSpendLogs_CountsSpendButStoresNoRows()
    {
        await using var gateway = await TestGateway.StartAsync(AdminClient.CheapModel, "  disable_spend_logs: true");
        var key = await gateway.NewKeyAsync();
        using (var response = await gateway.ChatAsync(key))
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        Assert.Equal(AdminClient.ChatCost, await gateway.KeySpendAsync(key));
        Assert.Equal(0, (await gateway.GetAdminAsync("/spend/logs")).GetArrayLength());
    }

    [Fact]
    public async Task SpendLogsByDefault_StoreOneRowPerRequest()
    {
        await using var gateway = await TestGateway.StartAsync(AdminClient.CheapModel);
        var key = await gateway.NewKeyAsync();
        using (var response = await gateway.ChatAsync(key))
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        Assert.Equal(1, (await gateway.GetAdminAsync("/spend/logs")).GetArrayLength());
    }
}

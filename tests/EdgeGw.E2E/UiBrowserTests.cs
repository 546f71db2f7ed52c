using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using EdgeGw.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace EdgeGw.E2E;

/// <summary>
/// The admin console at /ui in headless chromium against the published binary: sign-in, the key
/// life cycle with real spend, the logs filters, the playground stream, and every page's screenshot.
/// One gateway (two priced models on a fake OpenAI upstream) for the class; each test signs in on a fresh context.
/// </summary>
public sealed class UiBrowserTests : IAsyncLifetime
{
    private const decimal InputPrice = 0.00001m, OutputPrice = 0.00002m;
    private const decimal OneRequestCost = FakeChatModel.PromptTokens * InputPrice + FakeChatModel.CompletionTokens * OutputPrice;

    private FakeUpstream _upstream = null!;
    private GatewayProcess _gateway = null!;
    private Browser _browser = null!;

    public async Task InitializeAsync()
    {
        _upstream = await FakeUpstream.StartAsync();
        FakeChatModel.Serve(_upstream);
        _gateway = await GatewayProcess.StartAsync($"""
            model_list:
              - model_name: mock-gpt
                litellm_params:
                  model: openai/gpt-4o-mini
                  api_base: {_upstream.Url}/v1
                  api_key: sk-upstream-secret
                  input_cost_per_token: {InputPrice}
                  output_cost_per_token: {OutputPrice}
              - model_name: mock-claude
                litellm_params:
                  model: openai/fake-claude
                  api_base: {_upstream.Url}/v1
                  api_key: sk-upstream-secret
                  input_cost_per_token: {InputPrice}
                  output_cost_per_token: {OutputPrice}
            general_settings:
              master_key: {GatewayProcess.MasterKey}
              store_model_in_db: true
            """);
        _browser = await Browser.LaunchAsync();
    }

    public async Task DisposeAsync()
    {
        await _browser.DisposeAsync();
        await _gateway.DisposeAsync();
        await _upstream.DisposeAsync();
    }

    private string BaseUrl => $"http://127.0.0.1:{_gateway.Port}";

    [Fact]
    public async Task WrongPassword_ShowsAlertAndSetsNoCookie()
    {
        var page = await _browser.NewPageAsync(BaseUrl);
        await page.GotoAsync("/ui/");
        await page.FillAsync("#login-username", "admin");
        await page.FillAsync("#login-password", "sk-not-the-master-key");
        await page.ClickAsync("#login-submit");

        await Expect(page.Locator("[role=alert]")).ToContainTextAsync("Wrong username or password");
        Assert.DoesNotContain(await page.Context.CookiesAsync(), c => c.Name == UiConsole.Cookie);
        await Expect(page.Locator("[data-testid=logout]")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task MasterKeyLogin_OpensConsoleAndLogoutReturnsToLogin()
    {
        var page = await _browser.NewPageAsync(BaseUrl);
        await UiConsole.SignInAsync(page);

        var cookie = Assert.Single(await page.Context.CookiesAsync(), c => c.Name == UiConsole.Cookie);
        Assert.True(cookie.HttpOnly);
        Assert.Equal(SameSiteAttribute.Strict, cookie.SameSite);
        Assert.DoesNotContain(GatewayProcess.MasterKey, await page.ContentAsync(), StringComparison.Ordinal);
        var stored = await page.EvaluateAsync<string>("JSON.stringify([Object.entries(localStorage), Object.entries(sessionStorage)])");
        Assert.DoesNotContain(GatewayProcess.MasterKey, stored, StringComparison.Ordinal);

        await page.ClickAsync("[data-testid=logout]");
        await Expect(page.Locator("#login-submit")).ToBeVisibleAsync();
        Assert.DoesNotContain(await page.Context.CookiesAsync(), c => c.Name == UiConsole.Cookie);
        await page.ReloadAsync();
        await Expect(page.Locator("#login-submit")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task KeyCreatedInUi_ServesRequestAndShowsItsSpend()
    {
        var page = await _browser.NewPageAsync(BaseUrl);
        await UiConsole.SignInAsync(page);
        var key = await CreateKeyInUiAsync(page, "ui-billing", "5");
        Assert.StartsWith("sk-", key, StringComparison.Ordinal);

        var info = await KeyInfoAsync(key);
        Assert.Equal("ui-billing", info.GetProperty("key_alias").GetString());
        Assert.Equal(5m, info.GetProperty("max_budget").GetDecimal());

        Assert.Equal(FakeChatModel.Answer, await ChatAsync(key, "mock-gpt"));
        var spend = page.Locator("tr[data-key-alias='ui-billing'] [data-testid=key-spend]");
        Assert.True(await UiConsole.EventuallyAsync(async () =>
        {
            await page.ReloadAsync();
            var raw = await spend.GetAttributeAsync("data-spend");
            return raw is not null && decimal.Parse(raw, NumberStyles.Float, CultureInfo.InvariantCulture) > 0;
        }), "the key's spend never appeared on the Keys page");
        Assert.Equal(OneRequestCost, decimal.Parse((await spend.GetAttributeAsync("data-spend"))!, NumberStyles.Float, CultureInfo.InvariantCulture));
        await Expect(spend).ToContainTextAsync("$0.00026");
    }

    [Fact]
    public async Task BudgetEditedInUi_ChangesKeyInfo()
    {
        var key = await GenerateKeyAsync("ui-edit-me", 10m);
        var page = await SignedInAtAsync("keys", "Keys");

        await page.ClickAsync("tr[data-key-alias='ui-edit-me'] [data-testid=key-edit]");
        await Expect(page.Locator("[data-testid=key-max-budget]")).ToHaveValueAsync("10");
        await page.FillAsync("[data-testid=key-max-budget]", "2.5");
        await page.ClickAsync("[data-testid=key-submit]");
        await Expect(page.Locator("[data-testid=key-dialog]")).ToHaveCountAsync(0);

        var info = await KeyInfoAsync(key);
        Assert.Equal(2.5m, info.GetProperty("max_budget").GetDecimal());
        Assert.Equal("ui-edit-me", info.GetProperty("key_alias").GetString());
        await Expect(page.Locator("tr[data-key-alias='ui-edit-me']")).ToContainTextAsync("of $2.50");
    }

    [Fact]
    public async Task ModelAddedInUi_ServesWithItsKeyAndDeletedInUi_IsRefused()
    {
        var page = await SignedInAtAsync("models", "Models");
        // Config models are read-only through the API, so the console offers them no actions.
        await Expect(page.Locator("[data-model-group='mock-gpt'] [data-testid=model-edit]")).ToHaveCountAsync(0);

        await page.ClickAsync("[data-testid=models-add]");
        await page.FillAsync("[data-testid=model-name]", "ui-added");
        await page.FillAsync("[data-testid=model-provider-model]", "openai/ui-added-model");
        await page.FillAsync("[data-testid=model-api-base]", $"{_upstream.Url}/v1");
        await page.FillAsync("[data-testid=model-api-key]", "sk-ui-added-upstream-key");
        await page.ClickAsync("[data-testid=model-submit]");
        await Expect(page.Locator("[data-model-group='ui-added'] [data-testid=model-edit]")).ToHaveCountAsync(1);
        // The stored key is never shown back, masked or not.
        Assert.DoesNotContain("sk-ui-added-upstream-key", await page.ContentAsync(), StringComparison.Ordinal);

        using (var served = await ChatResponseAsync(GatewayProcess.MasterKey, "ui-added"))
        {
            Assert.Equal(HttpStatusCode.OK, served.StatusCode);
            Assert.Equal("Bearer sk-ui-added-upstream-key", _upstream.LastRequest.Headers["authorization"]);
        }

        await page.ClickAsync("[data-model-group='ui-added'] [data-testid=model-delete]");
        await page.ClickAsync("[data-testid=confirm-ok]");
        await Expect(page.Locator("[data-model-group='ui-added']")).ToHaveCountAsync(0);
        using var refused = await ChatResponseAsync(GatewayProcess.MasterKey, "ui-added");
        Assert.NotEqual(HttpStatusCode.OK, refused.StatusCode);
    }

    [Fact]
    public async Task KeyDeletedInUi_IsGoneFromApiAndRefused()
    {
        var key = await GenerateKeyAsync("ui-delete-me", null);
        var page = await SignedInAtAsync("keys", "Keys");

        await page.ClickAsync("tr[data-key-alias='ui-delete-me'] [data-testid=key-delete]");
        await page.ClickAsync("[data-testid=confirm-ok]");
        await Expect(page.Locator("tr[data-key-alias='ui-delete-me']")).ToHaveCountAsync(0);

        using var list = await _gateway.Client.GetAsync("/key/list?key_alias=ui-delete-me");
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        Assert.Equal(0, JsonDocument.Parse(await list.Content.ReadAsStringAsync()).RootElement.GetProperty("keys").GetArrayLength());
        using var refused = await ChatResponseAsync(key, "mock-gpt");
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }

    [Fact]
    public async Task BlockedInUi_KeyRefusedUntilUnblocked()
    {
        var key = await GenerateKeyAsync("ui-block-me", null);
        var page = await SignedInAtAsync("keys", "Keys");
        var block = page.Locator("tr[data-key-alias='ui-block-me'] [data-testid=key-block]");

        await block.ClickAsync();
        await Expect(block).ToHaveTextAsync("Unblock");
        using (var refused = await ChatResponseAsync(key, "mock-gpt"))
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);

        await block.ClickAsync();
        await Expect(block).ToHaveTextAsync("Block");
        Assert.Equal(FakeChatModel.Answer, await ChatAsync(key, "mock-gpt"));
    }

    [Fact]
    public async Task RegeneratedInUi_NewKeyServesOldKeyRefused()
    {
        var old = await GenerateKeyAsync("ui-rotate-me", 3m);
        var page = await SignedInAtAsync("keys", "Keys");

        await page.ClickAsync("tr[data-key-alias='ui-rotate-me'] [data-testid=key-regenerate]");
        await page.ClickAsync("[data-testid=confirm-ok]");
        var created = page.Locator("[data-testid=created-key]");
        await Expect(created).ToBeVisibleAsync();
        var fresh = (await created.TextContentAsync())!.Trim();

        Assert.NotEqual(old, fresh);
        Assert.Equal(FakeChatModel.Answer, await ChatAsync(fresh, "mock-gpt"));
        using (var refused = await ChatResponseAsync(old, "mock-gpt"))
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal(3m, (await KeyInfoAsync(fresh)).GetProperty("max_budget").GetDecimal());
    }

    [Fact]
    public async Task TeamCreatedInUiWithMember_IsWhatTeamInfoReturns()
    {
        var page = await SignedInAtAsync("teams", "Teams");
        await page.ClickAsync("[data-testid=teams-create]");
        await page.FillAsync("[data-testid=team-alias]", "ui-platform");
        await page.FillAsync("[data-testid=team-max-budget]", "20");
        await page.ClickAsync("[data-testid=team-submit]");
        var row = page.Locator("tr[data-team-id]", new() { HasText = "ui-platform" });
        await Expect(row).ToHaveCountAsync(1);
        var teamId = await row.GetAttributeAsync("data-team-id");

        await row.Locator("[data-testid=team-members]").ClickAsync();
        await page.FillAsync("[data-testid=member-user]", "dev-ana");
        await page.ClickAsync("[data-testid=member-add]");
        await Expect(page.Locator("[data-testid=team-members-dialog] tr[data-user-id='dev-ana']")).ToBeVisibleAsync();

        using var response = await _gateway.Client.GetAsync($"/team/info?team_id={Uri.EscapeDataString(teamId!)}");
        var info = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("ui-platform", info.GetProperty("team_info").GetProperty("team_alias").GetString());
        Assert.Equal(20m, info.GetProperty("team_info").GetProperty("max_budget").GetDecimal());
        Assert.Contains(info.GetProperty("team_memberships").EnumerateArray(), m => m.GetProperty("user_id").GetString() == "dev-ana");
    }

    [Fact]
    public async Task KeyboardOnly_SignsInAndEscapeClosesDialogBackToItsButton()
    {
        var page = await _browser.NewPageAsync(BaseUrl);
        await page.GotoAsync("/ui/");
        // The username comes filled with admin, so the password field has the focus.
        await Expect(page.Locator("#login-password")).ToBeFocusedAsync();
        await page.Keyboard.TypeAsync(GatewayProcess.MasterKey);
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator("main h1")).ToHaveTextAsync("Keys");

        var create = page.Locator("[data-testid=keys-create]");
        await create.FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator("[data-testid=key-dialog]")).ToBeVisibleAsync();
        await page.Keyboard.PressAsync("Escape");
        await Expect(page.Locator("[data-testid=key-dialog]")).ToHaveCountAsync(0);
        await Expect(create).ToBeFocusedAsync();
    }

    [Fact]
    public async Task ThemeToggle_SwitchesToDarkAndIsRememberedAfterReload()
    {
        var page = await _browser.NewPageAsync(BaseUrl);
        await UiConsole.SignInAsync(page);
        const string Background = "getComputedStyle(document.body).backgroundColor";
        var light = await page.EvaluateAsync<string>(Background);

        await page.ClickAsync("[data-testid=theme-toggle]");
        await Expect(page.Locator("html")).ToHaveAttributeAsync("data-theme", "dark");
        var dark = await page.EvaluateAsync<string>(Background);
        Assert.NotEqual(light, dark);

        await page.ReloadAsync();
        await Expect(page.Locator("[data-testid=logout]")).ToBeVisibleAsync();
        await Expect(page.Locator("html")).ToHaveAttributeAsync("data-theme", "dark");
        Assert.Equal(dark, await page.EvaluateAsync<string>(Background));
    }

    [Fact]
    public async Task LogsFilteredByKeyAndModel_ShowOnlyMatchingRowsAndOpenDetail()
    {
        var alpha = await GenerateKeyAsync("ui-logs-alpha", null);
        var beta = await GenerateKeyAsync("ui-logs-beta", null);
        await ChatAsync(alpha, "mock-gpt");
        await ChatAsync(alpha, "mock-gpt");
        await ChatAsync(alpha, "mock-claude");
        await ChatAsync(beta, "mock-claude");
        Assert.True(await UiConsole.EventuallyAsync(async () => await SpendRowsAsync(alpha) == 3 && await SpendRowsAsync(beta) == 1),
            "the spend rows never reached the database");
        var page = await SignedInAtAsync("logs", "Logs");
        var rows = page.Locator("tr[data-request-id]");
        await Expect(rows.First).ToBeVisibleAsync();

        await page.FillAsync("[data-testid=logs-filter-key]", "ui-logs-alpha");
        await Expect(rows).ToHaveCountAsync(3);
        foreach (var row in await rows.AllAsync())
            await Expect(row).ToContainTextAsync("ui-logs-alpha");

        await page.FillAsync("[data-testid=logs-filter-model]", "mock-claude");
        await Expect(rows).ToHaveCountAsync(1);
        await Expect(rows).ToContainTextAsync("mock-claude");

        await page.FillAsync("[data-testid=logs-filter-key]", "");
        await Expect(rows.Filter(new() { HasText = "ui-logs-beta" })).ToHaveCountAsync(1);
        await Expect(rows.Filter(new() { HasText = "mock-gpt" })).ToHaveCountAsync(0);

        await page.FillAsync("[data-testid=logs-filter-key]", "ui-logs-beta");
        await Expect(rows).ToHaveCountAsync(1);
        var requestId = await rows.GetAttributeAsync("data-request-id");
        await rows.ClickAsync();
        var detail = page.Locator("[data-testid=log-detail]");
        await Expect(detail).ToBeVisibleAsync();
        await Expect(detail).ToContainTextAsync(requestId!);
        await Expect(detail).ToContainTextAsync("fake-claude");
        await Expect(detail).ToContainTextAsync("ui-logs-beta");
        Assert.DoesNotContain("sk-upstream-secret", await detail.InnerTextAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PlaygroundWithVirtualKey_StreamsFakeModelAnswer()
    {
        var key = await GenerateKeyAsync("ui-playground", null);
        var page = await SignedInAtAsync("playground", "Playground");

        await page.FillAsync("[data-testid=pg-key]", key);
        await page.Locator("[data-testid=pg-key]").DispatchEventAsync("change");
        await Expect(page.Locator("[data-testid=pg-model] option[value='mock-claude']")).ToHaveCountAsync(1);
        await page.SelectOptionAsync("[data-testid=pg-model]", "mock-claude");
        await page.FillAsync("[data-testid=pg-input]", "Say hello");
        await page.ClickAsync("[data-testid=pg-send]");

        var reply = page.Locator("[data-testid=pg-output] [data-testid=pg-reply]");
        await Expect(reply.Locator(".msg-meta")).ToBeVisibleAsync();
        await Expect(reply).ToContainTextAsync(FakeChatModel.Answer);
        await Expect(page.Locator("[data-testid=pg-output] [role=alert]")).ToHaveCountAsync(0);
        var sent = _upstream.Requests.Last(r => r.BodyText.Contains("Say hello", StringComparison.Ordinal)).Json().RootElement;
        Assert.Equal("fake-claude", sent.GetProperty("model").GetString());
        Assert.True(sent.GetProperty("stream").GetBoolean());
        Assert.True(await UiConsole.EventuallyAsync(async () => await SpendRowsAsync(key) == 1), "the playground's request was not billed to its key");
    }

    [Fact]
    public async Task UsageForTheKey_ExportsCsvAndEmptiesForAnEarlierRange()
    {
        var key = await GenerateKeyAsync("ui-usage-export", null);
        await ChatAsync(key, "mock-gpt");
        Assert.True(await UiConsole.EventuallyAsync(async () => await SpendRowsAsync(key) == 1), "the request was not billed");
        var page = await SignedInAtAsync("usage", "Usage");
        await Expect(page.Locator("[data-testid=usage-export]")).ToBeEnabledAsync();

        var download = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync("[data-testid=usage-export]"));
        Assert.EndsWith(".csv", download.SuggestedFilename, StringComparison.Ordinal);
        var lines = await File.ReadAllLinesAsync((await download.PathAsync())!);
        Assert.Equal("date,dimension,name,id,spend_usd,prompt_tokens,completion_tokens,total_tokens,requests", lines[0]);
        var row = Assert.Single(lines, l => l.Contains(",key,ui-usage-export,", StringComparison.Ordinal)).Split(',');
        Assert.Equal(OneRequestCost, decimal.Parse(row[4], NumberStyles.Float, CultureInfo.InvariantCulture), 12);
        Assert.Equal([FakeChatModel.PromptTokens.ToString(CultureInfo.InvariantCulture), FakeChatModel.CompletionTokens.ToString(CultureInfo.InvariantCulture), "1"], [row[5], row[6], row[8]]);

        await page.FillAsync("[data-testid=usage-from]", "2025-01-01");
        await page.FillAsync("[data-testid=usage-to]", "2025-01-31");
        await Expect(page.Locator("main [data-testid=empty]")).ToBeVisibleAsync();
        await Expect(page.Locator("[data-testid=usage-export]")).ToBeDisabledAsync();
        Assert.Contains("from=2025-01-01", page.Url, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EveryPage_ShowsItsHeadingAndIsScreenshotted()
    {
        await SeedUsageAsync();
        var page = await _browser.NewPageAsync(BaseUrl);
        await page.GotoAsync("/ui/");
        await Expect(page.Locator("main h1")).ToHaveTextAsync("Sign in");
        await UiConsole.ScreenshotAsync(page, "login");
        await UiConsole.SignInAsync(page);
        (string Route, string Heading)[] pages =
            [("keys", "Keys"), ("teams", "Teams"), ("users", "Users"), ("models", "Models"), ("usage", "Usage"), ("logs", "Logs"), ("playground", "Playground")];
        foreach (var (route, heading) in pages)
        {
            await UiConsole.OpenAsync(page, route, heading);
            await SettledAsync(page);
            await Expect(page.Locator("main [role=alert]")).ToHaveCountAsync(0);
            Assert.True(new FileInfo(await UiConsole.ScreenshotAsync(page, route)).Length > 0);
        }

        await page.SetViewportSizeAsync(390, 844);
        await UiConsole.OpenAsync(page, "keys", "Keys");
        await SettledAsync(page);
        await UiConsole.ScreenshotAsync(page, "keys-phone");

        var dark = await _browser.NewPageAsync(BaseUrl, "dark");
        await UiConsole.SignInAsync(dark);
        const string Background = "getComputedStyle(document.body).backgroundColor";
        Assert.NotEqual(await page.EvaluateAsync<string>(Background), await dark.EvaluateAsync<string>(Background));
        foreach (var (route, heading) in new[] { ("keys", "Keys"), ("usage", "Usage") })
        {
            await UiConsole.OpenAsync(dark, route, heading);
            await SettledAsync(dark);
            await UiConsole.ScreenshotAsync(dark, $"{route}-dark");
        }
    }

    /// <summary>Waits until the page's first load is over: a table, an empty state, a chart or a form is shown instead of the spinner.</summary>
    private static async Task SettledAsync(IPage page)
    {
        await Expect(page.Locator("main [aria-busy=true], main .loading")).ToHaveCountAsync(0);
    }

    private async Task SeedUsageAsync()
    {
        var team = await PostAsync("/team/new", """{"team_alias":"Research","max_budget":50}""");
        var teamId = team.GetProperty("team_id").GetString();
        var research = await PostAsync("/key/generate", $$"""{"key_alias":"research-notebooks","team_id":"{{teamId}}","max_budget":2,"rpm_limit":60}""");
        var support = await GenerateKeyAsync("support-bot", 1m);
        await PostAsync("/user/new", """{"user_id":"ana@example.com","user_email":"ana@example.com","max_budget":10}""");
        for (var i = 0; i < 3; i++)
            await ChatAsync(research.GetProperty("key").GetString()!, i % 2 == 0 ? "mock-gpt" : "mock-claude");
        await ChatAsync(support, "mock-gpt");
        Assert.True(await UiConsole.EventuallyAsync(async () => await SpendRowsAsync(support) == 1), "the seeded requests were not billed");
    }

    /// <summary>A fresh browser context, signed in as the admin, on the given page.</summary>
    private async Task<IPage> SignedInAtAsync(string route, string heading)
    {
        var page = await _browser.NewPageAsync(BaseUrl);
        await UiConsole.SignInAsync(page);
        await UiConsole.OpenAsync(page, route, heading);
        return page;
    }

    private async Task<string> CreateKeyInUiAsync(IPage page, string alias, string budget)
    {
        await UiConsole.OpenAsync(page, "keys", "Keys");
        await page.ClickAsync("[data-testid=keys-create]");
        await page.FillAsync("[data-testid=key-alias]", alias);
        await page.FillAsync("[data-testid=key-max-budget]", budget);
        await page.FillAsync("[data-testid=key-models]", "mock-gpt");
        await page.ClickAsync("[data-testid=key-submit]");
        var created = page.Locator("[data-testid=created-key]");
        await Expect(created).ToBeVisibleAsync();
        await Expect(page.Locator("[data-testid=copy-key]")).ToBeVisibleAsync();
        var key = (await created.TextContentAsync())!.Trim();
        await page.ClickAsync("[data-testid=dialog-done]");
        await Expect(page.Locator($"tr[data-key-alias='{alias}']")).ToBeVisibleAsync();
        return key;
    }

    private async Task<JsonElement> PostAsync(string path, string json)
    {
        using var response = await _gateway.Client.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private async Task<string> GenerateKeyAsync(string alias, decimal? budget)
    {
        var body = budget is { } b
            ? $$"""{"key_alias":"{{alias}}","max_budget":{{b.ToString(CultureInfo.InvariantCulture)}}}"""
            : $$"""{"key_alias":"{{alias}}"}""";
        return (await PostAsync("/key/generate", body)).GetProperty("key").GetString()!;
    }

    private async Task<JsonElement> KeyInfoAsync(string key)
    {
        using var response = await _gateway.Client.GetAsync($"/key/info?key={Uri.EscapeDataString(key)}");
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        return JsonDocument.Parse(text).RootElement.GetProperty("info").Clone();
    }

    private async Task<int> SpendRowsAsync(string key)
    {
        using var response = await _gateway.Client.GetAsync($"/spend/logs?api_key={Uri.EscapeDataString(key)}");
        if (!response.IsSuccessStatusCode)
            return -1;
        var root = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        return root.ValueKind == JsonValueKind.Array ? root.GetArrayLength() : -1;
    }

    private async Task<HttpResponseMessage> ChatResponseAsync(string key, string model)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent($$"""{"model":"{{model}}","messages":[{"role":"user","content":"hello"}]}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return await _gateway.Client.SendAsync(request);
    }

    private async Task<string> ChatAsync(string key, string model)
    {
        using var response = await ChatResponseAsync(key, model);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{model}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString()!;
    }
}

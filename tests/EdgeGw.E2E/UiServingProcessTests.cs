using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace EdgeGw.E2E;

/// <summary>The native binary serves the admin UI from its embedded resources (subfolders too) and its session cookie works.</summary>
public sealed partial class UiServingProcessTests
{
    private const string Config = $"""
        model_list:
          - model_name: mock-gpt
            litellm_params:
              model: mock/mock-gpt
              mock_response: "hi"
        general_settings:
          master_key: {GatewayProcess.MasterKey}
        """;

    [GeneratedRegex("(/ui/v/[0-9a-f]{12}/)app\\.js")]
    private static partial Regex AppJs();

    [GeneratedRegex("from\\s+['\"]\\./([^'\"]+\\.js)['\"]")]
    private static partial Regex RelativeImport();

    [Fact]
    public async Task NativeBinary_ServesEmbeddedUiCompressedAndCookieSessionWorks()
    {
        await using var gateway = await GatewayProcess.StartAsync(Config);
        using var browser = new HttpClient(new HttpClientHandler { UseCookies = false, AutomaticDecompression = DecompressionMethods.All })
        {
            BaseAddress = new Uri($"http://127.0.0.1:{gateway.Port}"),
        };

        var index = await browser.GetStringAsync(new Uri("/ui", UriKind.Relative));
        var versioned = AppJs().Match(index).Groups[1].Value;
        Assert.NotEmpty(versioned);
        using (var raw = new HttpClient(new HttpClientHandler { AutomaticDecompression = DecompressionMethods.None }) { BaseAddress = browser.BaseAddress })
        {
            using var compressed = new HttpRequestMessage(HttpMethod.Get, versioned + "app.js");
            compressed.Headers.AcceptEncoding.ParseAdd("br");
            using var brotli = await raw.SendAsync(compressed);
            Assert.Equal("br", brotli.Content.Headers.ContentEncoding.Single());
        }
        using var app = await browser.GetAsync(new Uri(versioned + "app.js", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, app.StatusCode);
        // Every module app.js imports is embedded too, under the same versioned prefix.
        var imports = RelativeImport().Matches(await app.Content.ReadAsStringAsync());
        Assert.NotEmpty(imports);
        foreach (Match import in imports)
        {
            using var module = await browser.GetAsync(new Uri(versioned + import.Groups[1].Value, UriKind.Relative));
            Assert.True(module.StatusCode == HttpStatusCode.OK, $"{import.Groups[1].Value}: {(int)module.StatusCode}");
            Assert.Equal("text/javascript", module.Content.Headers.ContentType!.MediaType);
        }

        using var login = await browser.PostAsync(new Uri("/ui/login", UriKind.Relative), new StringContent(
            $$"""{"username":"admin","password":"{{GatewayProcess.MasterKey}}"}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        var setCookie = login.Headers.GetValues("Set-Cookie").Single();
        var cookie = setCookie[..setCookie.IndexOf(';', StringComparison.Ordinal)];
        using var keys = new HttpRequestMessage(HttpMethod.Get, "/key/list");
        keys.Headers.Add("Cookie", cookie);
        using var listed = await browser.SendAsync(keys);
        Assert.Equal(HttpStatusCode.OK, listed.StatusCode);
        using var write = new HttpRequestMessage(HttpMethod.Post, "/key/generate") { Content = new StringContent("{}", Encoding.UTF8, "application/json") };
        write.Headers.Add("Cookie", cookie);
        using var refused = await browser.SendAsync(write);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
    }
}

using System.IO.Compression;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using EdgeGw.Tests.Infrastructure;
using EdgeGw.Ui;

namespace EdgeGw.Tests.Ui;

/// <summary>/ui served from the binary: cache-busted files, precompressed variants, security headers.</summary>
public sealed partial class UiAssetTests
{
    [GeneratedRegex("/ui/v/([0-9a-f]{12})/app\\.js")]
    private static partial Regex AppJsLink();

    private static void AssertSecurityHeaders(HttpResponseMessage response)
    {
        var csp = string.Join(',', response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("default-src 'self'", csp, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-eval", csp, StringComparison.Ordinal);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
    }

    [Theory]
    [InlineData("/ui")]
    [InlineData("/ui/")]
    public async Task UiRoot_IndexWithVersionedLinksRevalidated(string path)
    {
        await using var gateway = await TestGateway.StartAsync(UiClient.Models);
        using var ui = new UiClient(gateway);

        using var response = await ui.GetAsync(path);
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html; charset=utf-8", response.Content.Headers.ContentType!.ToString());
        Assert.Equal("no-cache", response.Headers.CacheControl!.ToString());
        Assert.NotNull(response.Headers.ETag);
        Assert.DoesNotContain("{{BASE}}", html, StringComparison.Ordinal);
        Assert.Equal(UiAssets.Embedded.Version, AppJsLink().Match(html).Groups[1].Value);
        AssertSecurityHeaders(response);
    }

    [Fact]
    public async Task VersionedFile_ImmutableWithTypeAndETag304()
    {
        await using var gateway = await TestGateway.StartAsync(UiClient.Models);
        using var ui = new UiClient(gateway);
        var base_ = UiAssets.Embedded.Base;

        using var js = await ui.GetAsync(base_ + "app.js");
        using var css = await ui.GetAsync(base_ + "app.css");
        Assert.Equal(HttpStatusCode.OK, js.StatusCode);
        Assert.Equal("text/javascript; charset=utf-8", js.Content.Headers.ContentType!.ToString());
        Assert.Equal("text/css; charset=utf-8", css.Content.Headers.ContentType!.ToString());
        Assert.Equal("public, max-age=31536000, immutable", js.Headers.CacheControl!.ToString());
        AssertSecurityHeaders(js);

        var etag = js.Headers.ETag!.Tag;
        using var again = await ui.GetAsync(base_ + "app.js", new Dictionary<string, string> { ["If-None-Match"] = etag });
        Assert.Equal(HttpStatusCode.NotModified, again.StatusCode);
        Assert.Empty(await again.Content.ReadAsByteArrayAsync());
    }

    [Theory]
    [InlineData("br", "br")]
    [InlineData("gzip, deflate", "gzip")]
    [InlineData("br;q=0, gzip", "gzip")]
    [InlineData("gzip;q=0.5, br;q=1", "br")]
    [InlineData("identity", null)]
    [InlineData("br;q=0.0, gzip;q=0", null)]
    public async Task AcceptEncoding_PrecompressedVariantThatDecodesToTheFile(string accept, string? expected)
    {
        await using var gateway = await TestGateway.StartAsync(UiClient.Models);
        using var ui = new UiClient(gateway);
        using var plain = await ui.GetAsync("/ui");
        var identity = await plain.Content.ReadAsByteArrayAsync();

        using var response = await ui.GetAsync("/ui", new Dictionary<string, string> { ["Accept-Encoding"] = accept });
        var body = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("Accept-Encoding", response.Headers.Vary);
        Assert.Equal(expected, response.Content.Headers.ContentEncoding.SingleOrDefault());
        Assert.Equal(body.Length, response.Content.Headers.ContentLength);
        var decoded = expected switch
        {
            "br" => Decode(new BrotliStream(new MemoryStream(body), CompressionMode.Decompress)),
            "gzip" => Decode(new GZipStream(new MemoryStream(body), CompressionMode.Decompress)),
            _ => body,
        };
        Assert.Equal(identity, decoded);
        if (expected is not null)
            Assert.True(body.Length < identity.Length, $"{expected} is {body.Length} bytes, the file {identity.Length}");
        // Each encoding is its own representation: its own ETag.
        Assert.Equal(expected is null, plain.Headers.ETag!.Tag == response.Headers.ETag!.Tag);
    }

    private static byte[] Decode(Stream stream)
    {
        using var output = new MemoryStream();
        using (stream)
            stream.CopyTo(output);
        return output.ToArray();
    }

    [Fact]
    public void Build_KeepsAVariantOnlyWhenSmallerAndRewritesBaseOnlyInIndex()
    {
        var text = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("const answer = 42; ", 200)));
        var assets = UiAssets.Build([
            ("index.html", "<script type=module src=\"{{BASE}}app.js\"></script>"u8.ToArray()),
            ("app.js", text),
            ("lib/tiny.js", "x"u8.ToArray()),
            ("logo.png", text),
            ("pages/keys.js", "// {{BASE}} stays"u8.ToArray()),
        ]);

        Assert.Matches("^[0-9a-f]{12}$", assets.Version);
        Assert.Equal($"<script type=module src=\"/ui/v/{assets.Version}/app.js\"></script>", Encoding.UTF8.GetString(assets.Files["index.html"].Identity));
        Assert.Equal("// {{BASE}} stays", Encoding.UTF8.GetString(assets.Files["pages/keys.js"].Identity));
        Assert.True(assets.Files["app.js"].Brotli!.Length < text.Length);
        Assert.True(assets.Files["app.js"].Gzip!.Length < text.Length);
        Assert.Null(assets.Files["lib/tiny.js"].Gzip); // 1 byte: gzip's header alone is larger
        Assert.Null(assets.Files["logo.png"].Brotli); // already compressed formats are sent as they are
        Assert.Equal("image/png", assets.Files["logo.png"].ContentType);
        Assert.True(assets.TryGet("lib/tiny.js".AsSpan(), out _));
    }

    [Fact]
    public void Build_AnyChangedFile_ChangesTheVersion()
    {
        var one = UiAssets.Build([("index.html", "a"u8.ToArray()), ("app.js", "b"u8.ToArray())]);
        var same = UiAssets.Build([("app.js", "b"u8.ToArray()), ("index.html", "a"u8.ToArray())]);
        var changed = UiAssets.Build([("index.html", "a"u8.ToArray()), ("app.js", "c"u8.ToArray())]);
        Assert.Equal(one.Version, same.Version);
        Assert.NotEqual(one.Version, changed.Version);
    }

    [Fact]
    public async Task StaleVersion_RedirectsToCurrentFileAndUnknownFile404()
    {
        await using var gateway = await TestGateway.StartAsync(UiClient.Models);
        using var ui = new UiClient(gateway);

        using var stale = await ui.GetAsync("/ui/v/000000000000/app.js");
        Assert.Equal(HttpStatusCode.Found, stale.StatusCode);
        Assert.Equal(UiAssets.Embedded.Base + "app.js", stale.Headers.Location!.OriginalString);
        Assert.Equal("no-store", stale.Headers.CacheControl!.ToString());

        foreach (var path in new[] { UiAssets.Embedded.Base + "nope.js", "/ui/v/000000000000/nope.js", "/ui/v/", "/ui/elsewhere" })
        {
            using var missing = await ui.GetAsync(path);
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
            Assert.Contains("\"error\"", await missing.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task HeadAndOtherMethods_HeadersOnlyOr405()
    {
        await using var gateway = await TestGateway.StartAsync(UiClient.Models);
        using var ui = new UiClient(gateway);

        using var head = await ui.SendAsync(HttpMethod.Head, "/ui");
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.True(head.Content.Headers.ContentLength > 0);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());

        using var put = await ui.SendAsync(HttpMethod.Put, "/ui", "{}");
        Assert.Equal(HttpStatusCode.MethodNotAllowed, put.StatusCode);
    }

    [Fact]
    public async Task DisableAdminUi_LiteLlmsDisabledPageAndLoginRefused()
    {
        await using var gateway = await TestGateway.StartAsync(UiClient.Models, "environment_variables: { DISABLE_ADMIN_UI: \"True\" }");
        using var ui = new UiClient(gateway);

        using var page = await ui.GetAsync("/ui");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("Admin UI is Disabled", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var file = await ui.GetAsync(UiAssets.Embedded.Base + "app.js");
        Assert.Contains("Admin UI is Disabled", await file.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var (login, body) = await ui.LoginAsync("admin", TestGateway.MasterKey);
        Assert.Equal(HttpStatusCode.Forbidden, login.StatusCode);
        Assert.Contains("DISABLE_ADMIN_UI", body, StringComparison.Ordinal);
        Assert.Null(UiClient.SetCookie(login));
        // The API itself still answers the master key.
        using var keys = await gateway.Client.GetAsync(new Uri("/key/list", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, keys.StatusCode);
    }
}

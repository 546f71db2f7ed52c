namespace EdgeGw.E2E;

/// <summary>The browser the UI tests need starts here; a missing chromium fails this test, not skips it.</summary>
public sealed class BrowserSmokeTests
{
    [Fact]
    public async Task SystemChromium_RendersAPage()
    {
        await using var browser = await Browser.LaunchAsync();
        var page = await browser.NewPageAsync("http://127.0.0.1/");
        await page.SetContentAsync("<main><h1>EdgeGw</h1></main>");
        Assert.Equal("EdgeGw", await page.InnerTextAsync("h1"));
    }
}

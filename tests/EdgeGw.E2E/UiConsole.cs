using System.Diagnostics;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace EdgeGw.E2E;

/// <summary>The admin console as a user drives it: sign in, open a page by its hash route, screenshot it.</summary>
public static class UiConsole
{
    public const string Cookie = "edgegw_ui";

    /// <summary>Opens /ui, signs in, and waits for the console (its sign-out button).</summary>
    public static async Task SignInAsync(IPage page, string username = "admin", string password = GatewayProcess.MasterKey)
    {
        await page.GotoAsync("/ui/");
        await page.FillAsync("#login-username", username);
        await page.FillAsync("#login-password", password);
        await page.ClickAsync("#login-submit");
        await Expect(page.Locator("[data-testid=logout]")).ToBeVisibleAsync();
    }

    /// <summary>Goes to <c>#/route</c> and waits for the page's own heading.</summary>
    public static async Task OpenAsync(IPage page, string route, string heading)
    {
        await page.GotoAsync($"/ui/#/{route}");
        await Expect(page.Locator("main h1")).ToHaveTextAsync(heading);
    }

    /// <summary>Saves the whole page as ui-&lt;name&gt;.png in the artifacts folder and returns its path.</summary>
    public static async Task<string> ScreenshotAsync(IPage page, string name)
    {
        var path = Path.Combine(Browser.ScreenshotFolder, $"ui-{name}.png");
        // A window as tall as the page (not a full-page capture), so the sticky 100vh sidebar reaches the bottom.
        var viewport = page.ViewportSize!;
        var height = await page.EvaluateAsync<int>("Math.ceil(document.documentElement.scrollHeight)");
        await page.SetViewportSizeAsync(viewport.Width, Math.Clamp(height, viewport.Height, 4000));
        await page.ScreenshotAsync(new() { Path = path, Animations = ScreenshotAnimations.Disabled });
        await page.SetViewportSizeAsync(viewport.Width, viewport.Height);
        return path;
    }

    /// <summary>Re-evaluates <paramref name="probe"/> every 250 ms until it holds or 20 s pass (the spend writer is asynchronous).</summary>
    public static async Task<bool> EventuallyAsync(Func<Task<bool>> probe)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(20))
        {
            if (await probe())
                return true;
            await Task.Delay(250);
        }
        return await probe();
    }
}

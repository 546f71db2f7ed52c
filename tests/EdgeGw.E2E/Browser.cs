using Microsoft.Playwright;

namespace EdgeGw.E2E;

/// <summary>
/// A headless Debian chromium driven by Playwright. Playwright cannot download its own browsers here,
/// so it launches the system one; a machine without it fails the UI tests loudly rather than skipping them.
/// </summary>
public sealed class Browser : IAsyncDisposable
{
    private readonly IPlaywright _playwright;

    private Browser(IPlaywright playwright, IBrowser browser)
    {
        _playwright = playwright;
        Instance = browser;
    }

    public IBrowser Instance { get; }

    /// <summary>Where page screenshots go: CI keeps <c>out/</c> as its artifacts.</summary>
    public static string ScreenshotFolder
    {
        get
        {
            var root = Environment.GetEnvironmentVariable("EDGEGW_SCREENSHOTS") ?? Path.Combine(RepositoryRoot(), "out", "screenshots");
            Directory.CreateDirectory(root);
            return root;
        }
    }

    public static async Task<Browser> LaunchAsync()
    {
        var executable = Environment.GetEnvironmentVariable("EDGEGW_CHROMIUM") ?? "/usr/bin/chromium";
        if (!File.Exists(executable))
            throw new InvalidOperationException($"No browser at {executable}: install Debian's chromium (apt-get install chromium) or set EDGEGW_CHROMIUM.");
        var playwright = await Playwright.CreateAsync();
        try
        {
            var browser = await playwright.Chromium.LaunchAsync(new()
            {
                ExecutablePath = executable,
                Headless = true,
                // Containers run tests as root, where chromium's sandbox cannot start.
                Args = ["--no-sandbox", "--disable-dev-shm-usage"],
            });
            return new Browser(playwright, browser);
        }
        catch
        {
            playwright.Dispose();
            throw;
        }
    }

    /// <summary>A fresh context (its own cookies and storage) with a desktop-sized viewport.</summary>
    public async Task<IPage> NewPageAsync(string baseUrl, string colorScheme = "light")
    {
        var context = await Instance.NewContextAsync(new()
        {
            BaseURL = baseUrl,
            ViewportSize = new() { Width = 1280, Height = 800 },
            ColorScheme = colorScheme == "dark" ? ColorScheme.Dark : ColorScheme.Light,
        });
        context.SetDefaultTimeout(15_000);
        return await context.NewPageAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await Instance.DisposeAsync();
        _playwright.Dispose();
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "EdgeGw.sln")))
                return dir.FullName;
        }
        return Directory.GetCurrentDirectory();
    }
}

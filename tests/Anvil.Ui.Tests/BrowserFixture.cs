using Microsoft.Playwright;

namespace Anvil.Ui.Tests;

/// <summary>Debian's Chromium driven by Playwright (never Playwright's own browser download), one per collection.</summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public IBrowser Browser => _browser ?? throw new InvalidOperationException("not started");

    /// <summary>Where screenshots go: <c>$ANVIL_TEST_ARTIFACTS/screenshots</c>, else the repository's git-ignored
    /// <c>.build/test-artifacts/screenshots</c>.</summary>
    public static string ScreenshotDirectory { get; } = Path.Combine(
        Environment.GetEnvironmentVariable("ANVIL_TEST_ARTIFACTS") is { Length: > 0 } artifacts
            ? artifacts
            : Path.Combine(RepoPaths.Root, ".build", "test-artifacts"),
        "screenshots");

    public async Task InitializeAsync()
    {
        Tools.Require("/usr/bin/chromium", "chromium");
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
    }

    /// <summary>A fresh page (own cookies and storage) on the given base URL.</summary>
    public async Task<IPage> PageAsync(string baseUrl, int width = 1280, int height = 900)
    {
        var context = await Browser.NewContextAsync(new() { BaseURL = baseUrl, ViewportSize = new() { Width = width, Height = height } });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(30_000);
        return page;
    }

    /// <summary>Saves a full-page PNG named after the test step.</summary>
    public static async Task ShotAsync(IPage page, string name)
    {
        Directory.CreateDirectory(ScreenshotDirectory);
        await page.ScreenshotAsync(new() { Path = Path.Combine(ScreenshotDirectory, name + ".png"), FullPage = true });
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }
        _playwright?.Dispose();
    }
}

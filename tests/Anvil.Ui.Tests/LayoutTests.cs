using Microsoft.Playwright;

namespace Anvil.Ui.Tests;

/// <summary>Themes and small screens.</summary>
[Collection("recorded")]
[Trait("Category", "Integration")]
public sealed class LayoutTests(RecordedServer recorded, BrowserFixture browser)
{
    [Fact]
    public async Task ThemeToggle_SwitchesTheColours_AndIsRememberedAcrossPages()
    {
        var page = await browser.PageAsync(recorded.Url);
        await page.GotoAsync("/");
        const string Background = "getComputedStyle(document.body).backgroundColor";
        var before = await page.EvaluateAsync<string>(Background);
        var toggle = page.Locator("#theme");
        await Assertions.Expect(toggle).ToBeVisibleAsync();
        await toggle.ClickAsync();
        var theme = await page.EvaluateAsync<string>("document.documentElement.dataset.theme");
        Assert.Contains(theme, new[] { "dark", "light" });
        var after = await page.EvaluateAsync<string>(Background);
        Assert.NotEqual(before, after);
        await BrowserFixture.ShotAsync(page, "theme-toggled");

        await page.GotoAsync($"/playbooks/{recorded.Demo}");
        Assert.Equal(theme, await page.EvaluateAsync<string>("document.documentElement.dataset.theme"));
        Assert.Equal(after, await page.EvaluateAsync<string>(Background));
        await toggle.ClickAsync();
        Assert.Equal(before, await page.EvaluateAsync<string>(Background));
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task DarkSystemTheme_IsFollowedWithoutAToggle()
    {
        var context = await browser.Browser.NewContextAsync(new() { BaseURL = recorded.Url, ColorScheme = ColorScheme.Dark });
        var page = await context.NewPageAsync();
        await page.GotoAsync($"/playbooks/{recorded.Failed}");
        var dark = await page.EvaluateAsync<string>("getComputedStyle(document.body).backgroundColor");
        await page.EmulateMediaAsync(new() { ColorScheme = ColorScheme.Light });
        var light = await page.EvaluateAsync<string>("getComputedStyle(document.body).backgroundColor");
        Assert.NotEqual(light, dark);
        Assert.Equal("rgb(255, 255, 255)", light);
        await page.EmulateMediaAsync(new() { ColorScheme = ColorScheme.Dark });
        await BrowserFixture.ShotAsync(page, "theme-system-dark");
        await context.CloseAsync();
    }

    [Fact]
    public async Task PhoneScreen_EveryPageFitsWithoutScrollingSideways()
    {
        var page = await browser.PageAsync(recorded.Url, width: 375, height: 740);
        var result = (await recorded.Server.ApiAsync($"/api/v1/results?playbook={recorded.Failed}")).GetProperty("results")[0].GetProperty("id").GetInt64();
        var host = (await recorded.Server.ApiAsync($"/api/v1/hosts?playbook={recorded.Demo}")).GetProperty("results")[0].GetProperty("id").GetInt64();
        var file = (await recorded.Server.ApiAsync($"/api/v1/files?playbook={recorded.Demo}")).GetProperty("results")[0].GetProperty("id").GetInt64();
        var pages = new (string Name, string Path)[]
        {
            ("list", "/"), ("playbook", $"/playbooks/{recorded.Demo}"), ("failed", $"/playbooks/{recorded.Failed}"),
            ("result", $"/results/{result}"), ("host", $"/hosts/{host}"), ("file", $"/files/{file}"),
            ("console", $"/playbooks/{recorded.Demo}/output"),
        };
        foreach (var (name, path) in pages)
        {
            await page.GotoAsync(path);
            await Assertions.Expect(page.Locator("h1")).ToBeVisibleAsync();
            var widths = await page.EvaluateAsync<int[]>(
                "() => [Math.max(document.documentElement.scrollWidth, document.body.scrollWidth), window.innerWidth]");
            var (scroll, inner) = (widths[0], widths[1]);
            Assert.True(scroll <= inner, $"{path}: the page is {scroll} px wide on a {inner} px screen");
            await BrowserFixture.ShotAsync(page, "phone-" + name);
        }
        await page.Context.CloseAsync();
    }
}

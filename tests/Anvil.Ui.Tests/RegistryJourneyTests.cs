using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace Anvil.Ui.Tests;

/// <summary>What a person does with the registry in a browser (Debian's Chromium): find a collection, read it,
/// follow its dependencies and versions, and see why an upload was refused.</summary>
[Collection("registry")]
[Trait("Category", "Integration")]
public sealed class RegistryJourneyTests(RegistryServer registry, BrowserFixture browser)
{
    /// <summary>A fresh browser context, with the page's console errors and uncaught exceptions collected.</summary>
    private async Task<(IPage Page, List<string> Errors)> OpenAsync(HttpCredentials? login = null, int width = 1280, int height = 900,
        ColorScheme? scheme = null)
    {
        var context = await browser.Browser.NewContextAsync(new()
        {
            BaseURL = registry.Url,
            ViewportSize = new() { Width = width, Height = height },
            HttpCredentials = login,
            ColorScheme = scheme,
        });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(30_000);
        var errors = new List<string>();
        page.Console += (_, m) =>
        {
            if (m.Type == "error")
            {
                lock (errors)
                {
                    errors.Add($"{page.Url}: {m.Text}");
                }
            }
        };
        page.PageError += (_, e) =>
        {
            lock (errors)
            {
                errors.Add($"{page.Url}: {e}");
            }
        };
        return (page, errors);
    }

    private static HttpCredentials Alice => new() { Username = "alice", Password = RegistryServer.AlicePassword };

    [Fact]
    public async Task FindACollection_ReadIt_FollowADependency_AndPickAVersion()
    {
        var (page, errors) = await OpenAsync();

        // From the records, the navigation leads to the collections.
        await page.GotoAsync("/");
        await page.Locator("header nav").GetByRole(AriaRole.Link, new() { Name = "Collections" }).ClickAsync();
        await page.WaitForURLAsync("**/collections");
        var rows = page.Locator("#collection-list tbody tr");
        await Assertions.Expect(rows).ToHaveCountAsync(3);
        await Assertions.Expect(rows.Filter(new() { HasText = "acme.base" })).ToContainTextAsync("1.10.0");
        await Assertions.Expect(page.Locator("#namespace-list tbody tr").Filter(new() { HasText = "acme" })).ToContainTextAsync("alice");
        await BrowserFixture.ShotAsync(page, "registry-1-collections");

        // Search.
        await page.Locator("form.search input[name=q]").FillAsync("web");
        await page.Locator("form.search button[type=submit]").ClickAsync();
        await page.WaitForURLAsync(new Regex(@"/collections\?q=web$"));
        await Assertions.Expect(rows).ToHaveCountAsync(1);
        await BrowserFixture.ShotAsync(page, "registry-2-search");

        // The collection: its README rendered, its raw HTML shown as text and never run.
        await rows.GetByRole(AriaRole.Link, new() { Name = "acme.web" }).ClickAsync();
        await page.WaitForURLAsync("**/collections/acme/web");
        var readme = page.Locator("#readme-body");
        await Assertions.Expect(readme.Locator("h3")).ToHaveTextAsync("Web servers");
        await Assertions.Expect(readme.Locator("strong")).ToHaveTextAsync("web");
        await Assertions.Expect(readme.Locator("table td").First).ToHaveTextAsync("web_port");
        await Assertions.Expect(readme).ToContainTextAsync("<script>window.pwned=1</script>");
        await Assertions.Expect(readme).ToContainTextAsync("<img src=x onerror=\"window.pwned=2\">");
        Assert.Equal(0, await page.Locator("main script, main img, main [href^='javascript']").CountAsync());
        Assert.Null(await page.EvaluateAsync<int?>("window.pwned ?? null"));
        await Assertions.Expect(page.Locator("#install-commands")).ToContainTextAsync($"ansible-galaxy collection install acme.web:1.0.0 -s {registry.Url}/api/galaxy/");
        await BrowserFixture.ShotAsync(page, "registry-3-collection");

        // A dependency hosted here is a link; one that is not is plain text.
        var deps = page.Locator("#dependency-list");
        await Assertions.Expect(deps.GetByRole(AriaRole.Link)).ToHaveCountAsync(2);
        await Assertions.Expect(deps.Locator("tr", new() { HasText = "community.general" })).ToContainTextAsync("not on this server");
        await deps.GetByRole(AriaRole.Link, new() { Name = "acme.base" }).ClickAsync();
        await page.WaitForURLAsync("**/collections/acme/base");
        await Assertions.Expect(page.Locator("h1")).ToContainTextAsync("acme.base 1.10.0");
        await Assertions.Expect(page.Locator("#latest-mark")).ToBeVisibleAsync();
        var versions = page.Locator("#version-list tbody tr td:first-child a");
        Assert.Equal(["2.0.0-beta.1", "1.10.0", "1.9.0", "1.2.0"], await versions.AllInnerTextsAsync());
        await BrowserFixture.ShotAsync(page, "registry-4-dependency");

        // An older pre-release: marked, and pointing back to the latest.
        await versions.GetByText("2.0.0-beta.1", new() { Exact = true }).ClickAsync();
        await page.WaitForURLAsync("**/collections/acme/base/2.0.0-beta.1");
        await Assertions.Expect(page.Locator("h1")).ToContainTextAsync("pre-release");
        await Assertions.Expect(page.Locator("#latest-mark")).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator("#install-commands")).ToContainTextAsync("acme.base:2.0.0-beta.1");
        await page.Locator(".card.note a").ClickAsync();
        await page.WaitForURLAsync("**/collections/acme/base");
        await Assertions.Expect(page.Locator("#latest-mark")).ToBeVisibleAsync();
        await BrowserFixture.ShotAsync(page, "registry-5-latest-again");

        Assert.Empty(errors);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task MyImports_ShowWhyAnUploadWasRefused()
    {
        var (page, errors) = await OpenAsync(Alice);
        await page.GotoAsync("/collections");
        await page.Locator("nav.toc").GetByRole(AriaRole.Link, new() { Name = "My imports" }).ClickAsync();
        await page.WaitForURLAsync("**/imports");
        var rows = page.Locator("#import-list tbody tr");
        await Assertions.Expect(rows).ToHaveCountAsync(6);
        await Assertions.Expect(page.Locator("#import-list")).Not.ToContainTextAsync("other.tools"); // bob's
        var failed = rows.Filter(new() { HasText = "acme.base 3.0.0" });
        await Assertions.Expect(failed.Locator(".st")).ToHaveTextAsync("failed");
        await Assertions.Expect(failed).ToContainTextAsync("the file name says version '3.0.0'");
        await BrowserFixture.ShotAsync(page, "registry-6-my-imports");

        await failed.GetByRole(AriaRole.Link, new() { Name = "acme.base 3.0.0" }).ClickAsync();
        await page.WaitForURLAsync($"**/imports/{registry.FailedImport}");
        await Assertions.Expect(page.Locator("#import-error")).ToContainTextAsync("ImporterError");
        await Assertions.Expect(page.Locator("#error-description")).ToContainTextAsync("MANIFEST.json: collection_info.version is '1.2.0'");
        var error = page.Locator("#import-log li.lv-error");
        await Assertions.Expect(error).ToHaveCountAsync(1);
        await Assertions.Expect(error.Locator(".lv")).ToHaveTextAsync("ERROR");
        var info = page.Locator("#import-log li.lv-info").First;
        const string Colour = "e => getComputedStyle(e.querySelector('.text')).color";
        var errorColour = await error.EvaluateAsync<string>(Colour);
        Assert.NotEqual(await info.EvaluateAsync<string>(Colour), errorColour);
        // The error's colour is the failures' colour of the rest of the UI.
        Assert.Equal(await page.Locator("#state").EvaluateAsync<string>("e => getComputedStyle(e).color"), errorColour);
        await BrowserFixture.ShotAsync(page, "registry-7-import-log");

        Assert.Empty(errors);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task AnotherUsersImports_AreNeitherListedNorOpened()
    {
        var (page, errors) = await OpenAsync(new HttpCredentials { Username = "bob", Password = RegistryServer.BobPassword });
        await page.GotoAsync("/imports");
        var rows = page.Locator("#import-list tbody tr");
        await Assertions.Expect(rows).ToHaveCountAsync(1);
        await Assertions.Expect(rows).ToContainTextAsync("other.tools 0.1.0");
        await Assertions.Expect(page.Locator("main")).Not.ToContainTextAsync("acme");
        var response = await page.GotoAsync($"/imports/{registry.FailedImport}");
        Assert.Equal(404, response!.Status);
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Not found");
        await Assertions.Expect(page.Locator("main")).Not.ToContainTextAsync("acme-base");
        await BrowserFixture.ShotAsync(page, "registry-others-import");
        // The 404 itself is the only error the console shows.
        Assert.All(errors, e => Assert.Contains("404", e, StringComparison.Ordinal));
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task PhoneScreen_RegistryPagesFitWithoutScrollingSideways_InTheDarkTheme()
    {
        var (page, errors) = await OpenAsync(Alice, width: 375, height: 740, scheme: ColorScheme.Dark);
        var pages = new (string Name, string Path)[]
        {
            ("collections", "/collections"), ("namespace", "/collections/acme"), ("collection", "/collections/acme/web"),
            ("versions", "/collections/acme/base"), ("imports", "/imports"), ("import", $"/imports/{registry.FailedImport}"),
        };
        foreach (var (name, path) in pages)
        {
            await page.GotoAsync(path);
            await Assertions.Expect(page.Locator("h1")).ToBeVisibleAsync();
            var widths = await page.EvaluateAsync<int[]>(
                "() => [Math.max(document.documentElement.scrollWidth, document.body.scrollWidth), window.innerWidth]");
            Assert.True(widths[0] <= widths[1], $"{path}: the page is {widths[0]} px wide on a {widths[1]} px screen");
            Assert.NotEqual("rgb(255, 255, 255)", await page.EvaluateAsync<string>("getComputedStyle(document.body).backgroundColor"));
            await BrowserFixture.ShotAsync(page, "registry-phone-" + name);
        }
        Assert.Empty(errors);
        await page.Context.CloseAsync();
    }
}

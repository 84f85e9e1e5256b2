using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace Anvil.Ui.Tests;

/// <summary>What a person does in a browser, on real recorded runs: find what failed, where and why.</summary>
[Collection("recorded")]
[Trait("Category", "Integration")]
public sealed partial class JourneyTests(RecordedServer recorded, BrowserFixture browser)
{
    [Fact]
    public async Task FailedRun_FromTheListToTheFailingLineAndAHostsFacts()
    {
        var page = await browser.PageAsync(recorded.Url);

        // The list shows every recorded run.
        await page.GotoAsync("/");
        var rows = page.Locator("#playbooks tbody tr");
        await Assertions.Expect(rows.Filter(new() { HasText = "failed.yml" })).ToBeVisibleAsync();
        await Assertions.Expect(rows.Filter(new() { HasText = "ok.yml" })).ToBeVisibleAsync();
        await BrowserFixture.ShotAsync(page, "journey-1-list");

        // Filter by status failed: only failed runs remain.
        await page.Locator("details.box > summary").ClickAsync();
        await page.Locator("form.filters input[name=status][value=failed]").CheckAsync();
        await page.Locator("form.filters button[type=submit]").ClickAsync();
        await page.WaitForURLAsync(new Regex("status=failed"));
        await Assertions.Expect(rows.Filter(new() { HasText = "failed.yml" })).ToBeVisibleAsync();
        await Assertions.Expect(rows.Filter(new() { HasText = "ok.yml" })).ToHaveCountAsync(0);
        foreach (var status in await page.Locator("#playbooks tbody tr td:first-child").AllInnerTextsAsync())
        {
            Assert.Equal("failed", status.Trim());
        }
        await BrowserFixture.ShotAsync(page, "journey-2-failed-only");

        // The playbook: what failed, where and why, at the top.
        await rows.Filter(new() { HasText = "failed.yml" }).GetByRole(AriaRole.Link, new() { Name = "failed.yml" }).ClickAsync();
        await page.WaitForURLAsync($"**/playbooks/{recorded.Failed}");
        await Assertions.Expect(page.Locator("h1")).ToContainTextAsync("failed.yml");
        var failure = page.Locator(".card.fail");
        await Assertions.Expect(failure).ToContainTextAsync("failing task");
        await Assertions.Expect(failure).ToContainTextAsync("boom");
        await BrowserFixture.ShotAsync(page, "journey-3-playbook");

        // Results filtered by host (and status).
        var form = page.Locator("form.filters").Filter(new() { Has = page.Locator("select[name=host]") });
        await form.Locator("select[name=host]").SelectOptionAsync(new SelectOptionValue { Label = "localhost" });
        await form.Locator("input[name=status][value=failed]").CheckAsync();
        await form.Locator("button[type=submit]").ClickAsync();
        await page.WaitForURLAsync(new Regex(@"host=\d+"));
        var results = page.Locator("#results-table tbody tr");
        await Assertions.Expect(results).ToHaveCountAsync(1);
        await Assertions.Expect(results.First).ToContainTextAsync("localhost");
        await Assertions.Expect(results.First).ToContainTextAsync("failing task");
        await BrowserFixture.ShotAsync(page, "journey-4-results-by-host");

        // The result: its message, readable.
        await results.First.GetByRole(AriaRole.Link, new() { Name = "failing task" }).ClickAsync();
        await page.WaitForURLAsync(new Regex(@"/results/\d+$"));
        await Assertions.Expect(page.Locator("h1")).ToContainTextAsync("failing task");
        await Assertions.Expect(page.Locator("#field-msg")).ToContainTextAsync("boom");
        await BrowserFixture.ShotAsync(page, "journey-5-result");

        // Its task in its file, at its line, highlighted and on screen.
        await page.Locator("dl.kv a[href*='#line-']").ClickAsync();
        await page.WaitForURLAsync(new Regex(@"/files/\d+#line-6$"));
        var line = page.Locator("#line-6");
        await Assertions.Expect(line).ToBeInViewportAsync();
        await Assertions.Expect(line).ToContainTextAsync("failing task");
        Assert.Equal("line-6", await page.EvaluateAsync<string>("document.querySelector(':target').id"));
        var background = await line.EvaluateAsync<string>("e => getComputedStyle(e).backgroundColor");
        var other = await page.Locator("#line-1").EvaluateAsync<string>("e => getComputedStyle(e).backgroundColor");
        Assert.NotEqual(other, background);
        await BrowserFixture.ShotAsync(page, "journey-6-file-line");

        // A host's facts, searched as one types.
        await page.GotoAsync($"/playbooks/{recorded.Demo}");
        await page.Locator("#hosts-table").GetByRole(AriaRole.Link, new() { Name = "localhost" }).ClickAsync();
        await page.WaitForURLAsync(new Regex(@"/hosts/\d+$"));
        var facts = page.Locator("#facts tbody tr");
        var all = await facts.CountAsync();
        Assert.True(all > 20, $"only {all} facts");
        await page.Locator("#facts-q").FillAsync("python_version");
        var visible = facts.Locator("visible=true");
        await Assertions.Expect(visible).Not.ToHaveCountAsync(all);
        Assert.True(await visible.CountAsync() >= 1);
        foreach (var text in await visible.AllInnerTextsAsync())
        {
            Assert.Contains("python_version", text, StringComparison.OrdinalIgnoreCase);
        }
        await Assertions.Expect(page.Locator("#facts-count")).ToContainTextAsync($"of {all}");
        await BrowserFixture.ShotAsync(page, "journey-7-host-facts");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task HostileNames_AreShownAsText_AndNeverRun()
    {
        var page = await browser.PageAsync(recorded.Url);
        var hostileResult = (await recorded.Server.ApiAsync($"/api/v1/results?playbook={recorded.Hostile}"))
            .GetProperty("results")[0].GetProperty("id").GetInt64();
        foreach (var path in new[] { "/", $"/playbooks/{recorded.Hostile}", $"/results/{hostileResult}", $"/playbooks/{recorded.Hostile}/output" })
        {
            await page.GotoAsync(path);
            await Assertions.Expect(page.Locator("main")).ToContainTextAsync(path == "/" ? "hostile.yml" : "hostile task");
            Assert.Null(await page.EvaluateAsync<int?>("window.pwned ?? null"));
        }
        // Ansible's debug prints the message JSON-encoded (the escape character as \u001b).
        await Assertions.Expect(page.Locator("pre.console")).ToContainTextAsync("\"msg\": \"<img src=x onerror=window.pwned=2> & \\u001b[31mred");
        await page.GotoAsync($"/results/{hostileResult}");
        await Assertions.Expect(page.Locator("h1")).ToContainTextAsync(RecordedServer.HostileTask);
        await Assertions.Expect(page.Locator("#field-msg")).ToContainTextAsync(RecordedServer.HostileMessage);
        await Assertions.Expect(page.Locator("#field-msg .a-f1")).ToHaveTextAsync("red"); // its colour, rendered
        Assert.Equal(0, await page.Locator("main script, main img").CountAsync());
        await BrowserFixture.ShotAsync(page, "hostile-result");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Console_ShowsColours_AndEachResultLinksToItsResult()
    {
        var page = await browser.PageAsync(recorded.Url);
        await page.GotoAsync($"/playbooks/{recorded.Demo}/output");
        var console = page.Locator("pre.console");
        await Assertions.Expect(console).ToContainTextAsync("PLAY RECAP");
        var green = console.Locator(".a-f2").First;
        var color = await green.EvaluateAsync<string>("e => getComputedStyle(e).color");
        var plain = await console.EvaluateAsync<string>("e => getComputedStyle(e).color");
        Assert.NotEqual(plain, color);
        var changed = console.Locator("a.ev", new() { HasText = "changed: [localhost]" }).First;
        await changed.ClickAsync();
        await page.WaitForURLAsync(new Regex(@"/results/\d+$"));
        await Assertions.Expect(page.Locator("h1 .st")).ToHaveTextAsync("changed");
        await BrowserFixture.ShotAsync(page, "console-result");
        await page.Context.CloseAsync();
    }
}

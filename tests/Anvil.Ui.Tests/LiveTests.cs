using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace Anvil.Ui.Tests;

/// <summary>Watching a run while it happens: pages update by themselves, without reloading.</summary>
[Collection("live")]
[Trait("Category", "Integration")]
public sealed class LiveTests(BrowserFixture browser) : IAsyncLifetime
{
    private readonly TempDir _home = new();
    private readonly TempDir _pdd = new(RepoPaths.FixturePdd);
    private AnvilServerProcess? _server;

    public async Task InitializeAsync() =>
        _server = await AnvilServerProcess.StartAsync(Path.Combine(_home.Path, "live.db"));

    /// <summary>Like the fixture's slow_steps.yml, slower: the page must open while it still runs, even on a busy machine.</summary>
    private const string Slower = """
        ---
        - name: Slower steps
          hosts: localhost
          gather_facts: false
          tasks:
            - {name: step 1, ansible.builtin.command: sleep 1}
            - {name: step 2, ansible.builtin.command: sleep 1}
            - {name: step 3, ansible.builtin.command: sleep 1}
            - {name: step 4, ansible.builtin.command: sleep 1}
            - {name: step 5, ansible.builtin.command: sleep 1}
            - {name: step 6, ansible.builtin.command: sleep 1}
            - {name: step 7, ansible.builtin.command: sleep 1}
            - {name: step 8, ansible.builtin.command: sleep 1}
            - {name: step 9, ansible.builtin.command: sleep 1}
            - {name: step 10, ansible.builtin.command: sleep 1}
        """;

    [Fact]
    public async Task SlowRun_ListAndPlaybookPageUpdateWhileItRuns_WithoutReloading()
    {
        var server = _server!;
        _pdd.File("project/slower_steps.yml", Slower);
        await server.RecordAsync(_pdd.Path, "ok.yml"); // something on the list before the run starts
        var page = await browser.PageAsync(server.Url);
        await page.GotoAsync("/");
        await Assertions.Expect(page.Locator("#playbooks tbody tr")).ToHaveCountAsync(1);
        await page.EvaluateAsync("window.sameDocument = true"); // gone if the page reloads

        var run = Task.Run(() => server.RecordAsync(_pdd.Path, "slower_steps.yml"));
        var row = page.Locator("#playbooks tbody tr", new() { HasText = "slower_steps.yml" });
        await Assertions.Expect(row).ToBeVisibleAsync(new() { Timeout = 60_000 });
        await Assertions.Expect(row.Locator(".st")).ToHaveTextAsync("running");
        Assert.True(await page.EvaluateAsync<bool>("window.sameDocument === true"), "the list reloaded instead of updating");
        await BrowserFixture.ShotAsync(page, "live-1-list-running");

        await row.GetByRole(AriaRole.Link, new() { Name = "slower_steps.yml" }).ClickAsync();
        await page.WaitForURLAsync(new Regex(@"/playbooks/\d+$"));
        await Assertions.Expect(page.Locator("#live")).ToBeVisibleAsync();
        await page.EvaluateAsync("window.sameDocument = true");
        var before = await page.Locator("#results-table tbody tr").CountAsync();
        Assert.True(before < 10, $"the run was already over when its page opened ({before} results)");
        await BrowserFixture.ShotAsync(page, "live-2-playbook-running");

        // The results arrive and the status turns to completed, in place.
        await Assertions.Expect(page.Locator("#results-table tbody tr")).ToHaveCountAsync(10, new() { Timeout = 60_000 });
        await Assertions.Expect(page.Locator("#summary")).ToContainTextAsync("10 results", new() { Timeout = 60_000 });
        await Assertions.Expect(page.Locator("#results-count")).ToHaveTextAsync("10", new() { Timeout = 60_000 });
        await Assertions.Expect(page.Locator("#tasks-count")).ToHaveTextAsync("10", new() { Timeout = 60_000 });
        await Assertions.Expect(page.Locator("h1 .st")).ToHaveTextAsync("completed", new() { Timeout = 60_000 });
        await Assertions.Expect(page.Locator("#live")).ToBeHiddenAsync();
        Assert.True(await page.EvaluateAsync<bool>("window.sameDocument === true"), "the playbook page reloaded instead of updating");
        await BrowserFixture.ShotAsync(page, "live-3-playbook-completed");
        Assert.Equal(0, await run);
        await page.Context.CloseAsync();
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
        _pdd.Dispose();
        _home.Dispose();
    }
}

[CollectionDefinition("live")]
public sealed class LiveCollection : ICollectionFixture<BrowserFixture>;

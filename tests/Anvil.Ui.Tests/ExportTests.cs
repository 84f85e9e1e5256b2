using System.CommandLine;
using System.Text.RegularExpressions;
using Anvil.Cli.Commands.Records;
using Anvil.Server.Ui.Export;
using Microsoft.Playwright;

namespace Anvil.Ui.Tests;

/// <summary><c>anvil records export html</c> over the recorded runs: a site that stands on its own.</summary>
[Collection("recorded")]
[Trait("Category", "Integration")]
public sealed partial class ExportTests(RecordedServer recorded, BrowserFixture browser)
{
    /// <summary>Runs <c>anvil records export html …</c> through the real command line; returns the exit code and what
    /// it wrote.</summary>
    private static async Task<(int Code, string Output, string Error)> ExportAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await Anvil.Cli.AnvilCommandLine.InvokeAsync(["records", "export", "html", .. args], output, error);
        return (code, output.ToString(), error.ToString());
    }

    [GeneratedRegex(@"(?:href|src)=""([^""]*)""")]
    private static partial Regex Links();

    [Fact]
    public async Task Export_WritesEveryPage_WithRelativeLinksThatAllResolve()
    {
        using var dir = new TempDir();
        var site = Path.Combine(dir.Path, "site");
        var (code, output, error) = await ExportAsync(site, "--database", recorded.Server.Database);
        Assert.True(code == 0, error);
        Assert.Contains("Exported 5 playbooks", output, StringComparison.Ordinal);

        Assert.True(File.Exists(Path.Combine(site, "index.html")));
        foreach (var id in new[] { recorded.Ok, recorded.Failed, recorded.MultiHost, recorded.Demo, recorded.Hostile })
        {
            Assert.True(File.Exists(Path.Combine(site, "playbooks", $"{id}.html")), $"playbook {id}");
            Assert.True(File.Exists(Path.Combine(site, "playbooks", $"{id}-output.html")), $"console {id}");
        }
        var results = (await recorded.Server.ApiAsync("/api/v1/results?limit=1000")).GetProperty("count").GetInt32();
        Assert.Equal(results, Directory.GetFiles(Path.Combine(site, "results")).Length);
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(site, "hosts")));
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(site, "files")));
        Assert.True(File.Exists(Path.Combine(site, "assets", "anvil.css")));
        Assert.True(File.Exists(Path.Combine(site, StaticSiteExporter.Marker)));
        Assert.Equal(["site"], Directory.GetFileSystemEntries(dir.Path).Select(Path.GetFileName)); // no temporary folder left

        var checkedLinks = 0;
        foreach (var page in Directory.EnumerateFiles(site, "*.html", SearchOption.AllDirectories))
        {
            var html = await File.ReadAllTextAsync(page);
            Assert.DoesNotContain("http://", html, StringComparison.Ordinal);
            Assert.DoesNotContain("data-live=\"/", html, StringComparison.Ordinal);
            foreach (Match m in Links().Matches(html))
            {
                var link = System.Net.WebUtility.HtmlDecode(m.Groups[1].Value);
                Assert.False(link.StartsWith('/'), $"{page}: absolute link {link}");
                var target = link.Split('#')[0];
                if (target.Length == 0)
                {
                    continue; // an anchor on the same page
                }
                Assert.DoesNotContain("?", target, StringComparison.Ordinal);
                var file = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(page)!, target));
                Assert.True(File.Exists(file), $"{page}: {link} leads nowhere");
                checkedLinks++;
            }
        }
        Assert.True(checkedLinks > 100, $"only {checkedLinks} links");

        var failedPage = await File.ReadAllTextAsync(Path.Combine(site, "playbooks", $"{recorded.Failed}.html"));
        Assert.Contains("<span class=\"msg\">boom</span>", failedPage, StringComparison.Ordinal);
        Assert.Matches(@"href=""\.\./files/\d+\.html#line-6""", failedPage);
    }

    [Fact]
    public async Task Export_OpensFromTheFileSystem_AndFiltersResultsInTheBrowser()
    {
        using var dir = new TempDir();
        var site = Path.Combine(dir.Path, "site");
        Assert.Equal(0, (await ExportAsync(site, "--database", recorded.Server.Database, "--playbook", recorded.MultiHost.ToString(System.Globalization.CultureInfo.InvariantCulture))).Code);
        var page = await browser.PageAsync(recorded.Url);
        await page.GotoAsync(new Uri(Path.Combine(site, "index.html")).AbsoluteUri);
        await page.GetByRole(AriaRole.Link, new() { Name = "multi_host.yml" }).ClickAsync();
        var rows = page.Locator("#results-table tbody tr");
        await Assertions.Expect(rows).ToHaveCountAsync(3);
        await page.Locator("select[data-filter=host]").SelectOptionAsync(new SelectOptionValue { Label = "host2" });
        await Assertions.Expect(rows.Locator("visible=true")).ToHaveCountAsync(1);
        await Assertions.Expect(rows.Locator("visible=true")).ToContainTextAsync("host2");
        await BrowserFixture.ShotAsync(page, "export-playbook");
        await rows.Locator("visible=true").GetByRole(AriaRole.Link, new() { Name = "host2" }).ClickAsync();
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("host2");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Export_SelectsByFilters_AndReplacesAnEarlierExport()
    {
        using var dir = new TempDir();
        var site = Path.Combine(dir.Path, "site");
        Assert.Equal(0, (await ExportAsync(site, "--database", recorded.Server.Database)).Code);
        var (code, output, _) = await ExportAsync(site, "--database", recorded.Server.Database, "--status", "failed", "--since", "1");
        Assert.Equal(0, code);
        Assert.Contains("Exported 1 playbook ", output, StringComparison.Ordinal);
        Assert.Equal([$"{recorded.Failed}-output.html", $"{recorded.Failed}.html"],
            Directory.GetFiles(Path.Combine(site, "playbooks")).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.DoesNotContain(">ok.yml<", await File.ReadAllTextAsync(Path.Combine(site, "index.html")), StringComparison.Ordinal);
        Assert.Equal(0, (await ExportAsync(site, "--database", recorded.Server.Database, "--path", "multi_host")).Code);
        Assert.Equal(3, Directory.GetFiles(Path.Combine(site, "hosts")).Length);
    }

    [Fact]
    public async Task Export_BadInput_OneLineExit1_NothingWritten()
    {
        using var dir = new TempDir();
        var file = dir.File("a-file", "x");
        var (code, output, error) = await ExportAsync(file, "--database", recorded.Server.Database);
        Assert.Equal(1, code);
        Assert.Equal($"anvil: error: {file} is a file; give a directory to export into\n", error);
        Assert.Equal("", output);

        var site = Path.Combine(dir.Path, "site");
        (code, _, error) = await ExportAsync(site, "--database", recorded.Server.Database, "--playbook", "999999");
        Assert.Equal(1, code);
        Assert.Equal("anvil: error: there is no playbook 999999\n", error);
        Assert.False(Directory.Exists(site));

        (code, _, error) = await ExportAsync(site, "--database", recorded.Server.Database, "--status", "nonsense");
        Assert.Equal(1, code);
        Assert.Equal("anvil: error: status: Select a valid choice. nonsense is not one of the available choices.\n", error);

        (code, _, error) = await ExportAsync(site, "--database", recorded.Server.Database, "--path", "no-such-playbook-anywhere");
        Assert.Equal(1, code);
        Assert.Equal("anvil: error: no playbook matches the selection\n", error);

        var busy = Path.Combine(dir.Path, "busy");
        Directory.CreateDirectory(busy);
        await File.WriteAllTextAsync(Path.Combine(busy, "notes.txt"), "mine");
        (code, _, error) = await ExportAsync(busy, "--database", recorded.Server.Database);
        Assert.Equal(1, code);
        Assert.Contains("is not empty and holds no earlier Anvil export", error, StringComparison.Ordinal);
        Assert.Equal(["notes.txt"], Directory.GetFileSystemEntries(busy).Select(Path.GetFileName));

        // Nothing half-written next to the target either.
        Assert.Equal(["a-file", "busy"], Directory.GetFileSystemEntries(dir.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.False(Directory.Exists(site));
    }
}

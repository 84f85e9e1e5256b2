using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace Anvil.Ui.Tests;

/// <summary>The registry's pages as a client without JavaScript gets them (plain HTTP), on collections published
/// through the real API: what they show, the login rules, escaping and headers.</summary>
[Collection("registry")]
[Trait("Category", "Integration")]
public sealed partial class RegistryPageTests(RegistryServer registry)
{
    private static readonly AuthenticationHeaderValue Alice = RegistryServer.Basic("alice", RegistryServer.AlicePassword);
    private static readonly AuthenticationHeaderValue Bob = RegistryServer.Basic("bob", RegistryServer.BobPassword);
    private static readonly AuthenticationHeaderValue Root = RegistryServer.Basic("root", RegistryServer.RootPassword);

    private Task<string> PageAsync(string path, HttpStatusCode expected = HttpStatusCode.OK, AuthenticationHeaderValue? user = null) =>
        PageAsync(registry.Http, path, expected, user);

    private static async Task<string> PageAsync(HttpClient http, string path, HttpStatusCode expected = HttpStatusCode.OK,
        AuthenticationHeaderValue? user = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = user;
        using var response = await http.SendAsync(request);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        var body = System.Text.Encoding.UTF8.GetString(bytes);
        Assert.True(expected == response.StatusCode, $"{path}: {(int)response.StatusCode}\n{body}");
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Matches(@"^app;dur=\d+(\.\d+)?$", string.Join(",", response.Headers.GetValues("Server-Timing")));
        Assert.Equal(bytes.Length, response.Content.Headers.ContentLength);
        var csp = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("script-src 'self'", csp, StringComparison.Ordinal);
        if (expected == HttpStatusCode.Unauthorized)
        {
            Assert.StartsWith("Basic ", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
            Assert.Contains("<h1>Login required</h1>", body, StringComparison.Ordinal);
        }
        return body;
    }

    /// <summary>The body rows of a table (by id), as HTML.</summary>
    private static List<string> Rows(string html, string tableId)
    {
        var start = html.IndexOf($"id=\"{tableId}\"", StringComparison.Ordinal);
        Assert.True(start >= 0, $"no table {tableId}");
        var body = html[html.IndexOf("<tbody>", start, StringComparison.Ordinal)..html.IndexOf("</tbody>", start, StringComparison.Ordinal)];
        return RowPattern().Matches(body).Select(m => m.Value).ToList();
    }

    private static string Row(string html, string tableId, string containing) =>
        Assert.Single(Rows(html, tableId), r => r.Contains(containing, StringComparison.Ordinal));

    /// <summary>The section of a page from one id to the next heading.</summary>
    private static string Section(string html, string id)
    {
        var start = html.IndexOf($"id=\"{id}\"", StringComparison.Ordinal);
        Assert.True(start >= 0, $"no section {id}");
        var end = html.IndexOf("<h2", start + 1, StringComparison.Ordinal);
        return end < 0 ? html[start..] : html[start..end];
    }

    [Fact]
    public async Task Collections_ListEachWithItsLatestRelease_AndTheNamespacesWithOwnersAndCounts()
    {
        var html = await PageAsync("/collections");
        Assert.Equal(["acme.base", "acme.web", "other.tools"],
            Rows(html, "collection-list").Select(r => CollectionName().Match(r).Groups[1].Value));
        var baseRow = Row(html, "collection-list", ">acme.base<");
        Assert.Contains("href=\"/collections/acme/base/1.10.0\">1.10.0</a>", baseRow, StringComparison.Ordinal);
        Assert.DoesNotContain("2.0.0-beta.1", baseRow, StringComparison.Ordinal); // a higher pre-release is not the latest
        Assert.Contains("<td>The base collection of acme</td>", baseRow, StringComparison.Ordinal);
        Assert.Contains("<td class=\"n\">4</td>", baseRow, StringComparison.Ordinal);
        Assert.Matches(@"<time datetime=""\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"">", baseRow);

        var acme = Row(html, "namespace-list", ">acme<");
        Assert.Contains("<span class=\"label\">alice</span>", acme, StringComparison.Ordinal);
        Assert.DoesNotContain("bob", acme, StringComparison.Ordinal);
        Assert.Contains("<td class=\"n\">2</td>", acme, StringComparison.Ordinal);
        Assert.Contains("<td>ACME&#x27;s collections</td>", acme, StringComparison.Ordinal);
        var other = Row(html, "namespace-list", ">other<");
        Assert.Contains("<span class=\"label\">bob</span>", other, StringComparison.Ordinal);
        Assert.Contains("<td class=\"n\">1</td>", other, StringComparison.Ordinal);

        // The navigation leads here from every page, the records' too.
        Assert.Contains("<a href=\"/collections\" aria-current=\"true\">Collections</a>", html, StringComparison.Ordinal);
        Assert.Contains("<a href=\"/collections\">Collections</a>", await PageAsync("/"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Collections_SearchAndPages()
    {
        var web = await PageAsync("/collections?q=WEB");
        Assert.Equal(">acme.web<", ">" + CollectionName().Match(Assert.Single(Rows(web, "collection-list"))).Groups[1].Value + "<");
        Assert.Contains("value=\"WEB\"", web, StringComparison.Ordinal);
        Assert.Contains("No collection matches this search.", await PageAsync("/collections?q=nothing-has-this"), StringComparison.Ordinal);
        // The description is searched too.
        Assert.Single(Rows(await PageAsync("/collections?q=tools+collection"), "collection-list"));

        var first = await PageAsync("/collections?limit=1");
        Assert.Contains(">acme.base<", Assert.Single(Rows(first, "collection-list")), StringComparison.Ordinal);
        Assert.Contains("1–1 of 3", first, StringComparison.Ordinal);
        Assert.Contains("href=\"/collections?limit=1&amp;offset=1\" rel=\"next\"", first, StringComparison.Ordinal);
        Assert.Contains(">acme.web<", Assert.Single(Rows(await PageAsync("/collections?limit=1&offset=1"), "collection-list")), StringComparison.Ordinal);
        var last = await PageAsync("/collections?limit=1&page=3");
        Assert.Contains(">other.tools<", Assert.Single(Rows(last, "collection-list")), StringComparison.Ordinal);
        Assert.Contains("<span class=\"off\">Next ›</span>", last, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Namespace_ShowsItsOwnersAndCollections_AndAnUnknownOneIsNotFound()
    {
        var html = await PageAsync("/collections/acme");
        Assert.Contains("<h1>acme</h1>", html, StringComparison.Ordinal);
        Assert.Contains("<p>ACME&#x27;s collections</p>", html, StringComparison.Ordinal);
        Assert.Contains("<dd id=\"owners\"><span class=\"label\">alice</span></dd>", html, StringComparison.Ordinal);
        Assert.Equal(2, Rows(html, "collection-list").Count);
        Assert.DoesNotContain("other.tools", html, StringComparison.Ordinal);
        // Only an owner is told how to publish here.
        Assert.DoesNotContain("You may publish", html, StringComparison.Ordinal);
        Assert.Contains("You may publish", await PageAsync("/collections/acme", user: Alice), StringComparison.Ordinal);
        Assert.DoesNotContain("You may publish", await PageAsync("/collections/acme", user: Bob), StringComparison.Ordinal);

        var missing = await PageAsync("/collections/nope", HttpStatusCode.NotFound);
        Assert.Contains("<h1>Not found</h1>", missing, StringComparison.Ordinal);
        Assert.Contains("There is no namespace nope.", missing, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Collection_ShowsTheHighestRelease_VersionsNewestFirst_AndDownloadsTheArtifacts()
    {
        var html = await PageAsync("/collections/acme/base");
        Assert.Contains("<h1 id=\"title\">acme.base <span class=\"mono\">1.10.0</span> <span class=\"st completed\" id=\"latest-mark\">latest</span></h1>",
            html, StringComparison.Ordinal);
        var versions = Rows(html, "version-list");
        Assert.Equal(["2.0.0-beta.1", "1.10.0", "1.9.0", "1.2.0"], versions.Select(r => VersionLink().Match(r).Groups[1].Value));
        Assert.Equal([true, false, false, false], versions.Select(r => r.Contains("pre-release", StringComparison.Ordinal)));
        Assert.Equal([false, true, false, false], versions.Select(r => r.Contains(">latest<", StringComparison.Ordinal)));
        Assert.Contains("class=\"sel\"", versions[1], StringComparison.Ordinal); // the version shown

        var server = registry.Url + "/api/galaxy/";
        Assert.Contains($"ansible-galaxy collection install acme.base:1.10.0 -s {server}\n./anvil collection install acme.base:1.10.0 -s {server}</pre>",
            html, StringComparison.Ordinal);
        var artifact = registry.Built["acme-base-1.10.0.tar.gz"];
        var sha = Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(artifact)));
        Assert.Contains($"<dd class=\"mono\" id=\"sha256\">{sha}</dd>", html, StringComparison.Ordinal);
        Assert.Contains("<dd id=\"license\">MIT, Apache-2.0</dd>", html, StringComparison.Ordinal);
        Assert.Contains("<dd id=\"authors\">Ada Lovelace &lt;ada@example.com&gt;, Grace Hopper</dd>", html, StringComparison.Ordinal);
        Assert.Contains("<dd id=\"tags\"><span class=\"label\">base</span><span class=\"label\">demo</span></dd>", html, StringComparison.Ordinal);
        Assert.Contains("<a href=\"https://git.example.com/acme/base\" rel=\"nofollow noopener noreferrer\">", html, StringComparison.Ordinal);
        Assert.Contains("<a href=\"https://docs.example.com/acme/base\"", html, StringComparison.Ordinal);
        Assert.Contains("<span id=\"uploader\">alice</span>", html, StringComparison.Ordinal);
        Assert.Contains("<dd class=\"mono\">&gt;=2.14.0</dd>", html, StringComparison.Ordinal);
        Assert.Matches(@"<dt>Uploaded</dt><dd><time datetime=""[^""]+"">", html);
        Assert.Contains("<span class=\"label mono\">echo</span>", Section(html, "contents"), StringComparison.Ordinal);
        Assert.Contains("<span class=\"label mono\">server</span>", Section(html, "contents"), StringComparison.Ordinal);

        // Every download link gives that version's artifact, byte for byte.
        foreach (var row in versions)
        {
            var version = VersionLink().Match(row).Groups[1].Value;
            var href = WebUtility.HtmlDecode(DownloadLink().Match(row).Groups[1].Value);
            Assert.Equal($"/api/v3/plugin/ansible/content/published/collections/artifacts/acme-base-{version}.tar.gz", href);
            Assert.Equal(await File.ReadAllBytesAsync(registry.Built[$"acme-base-{version}.tar.gz"]), await registry.Http.GetByteArrayAsync(href));
        }
        Assert.Contains($"<dd><a href=\"/api/v3/plugin/ansible/content/published/collections/artifacts/acme-base-1.10.0.tar.gz\" id=\"download\">acme-base-1.10.0.tar.gz</a>",
            html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Collection_APreReleaseOrOlderVersion_IsMarked_AndPointsToTheLatest()
    {
        var pre = await PageAsync("/collections/acme/base/2.0.0-beta.1");
        Assert.Contains("<h1 id=\"title\">acme.base <span class=\"mono\">2.0.0-beta.1</span> <span class=\"st changed\">pre-release</span></h1>", pre, StringComparison.Ordinal);
        Assert.DoesNotContain("id=\"latest-mark\"", pre, StringComparison.Ordinal);
        Assert.Contains("This is not the latest version of acme.base: the latest is <a href=\"/collections/acme/base\">1.10.0</a>", pre, StringComparison.Ordinal);
        Assert.Contains("ansible-galaxy collection install acme.base:2.0.0-beta.1 -s", pre, StringComparison.Ordinal);
        Assert.Contains("class=\"sel\"", Rows(pre, "version-list")[0], StringComparison.Ordinal);

        var old = await PageAsync("/collections/acme/base/1.2.0");
        Assert.Contains("the latest is <a href=\"/collections/acme/base\">1.10.0</a>", old, StringComparison.Ordinal);
        Assert.Contains("./anvil collection install acme.base:1.2.0 -s", old, StringComparison.Ordinal);
        var sha = Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(registry.Built["acme-base-1.2.0.tar.gz"])));
        Assert.Contains($"id=\"sha256\">{sha}<", old, StringComparison.Ordinal);

        // The latest by its own address is the same page as the collection's.
        Assert.Contains("id=\"latest-mark\"", await PageAsync("/collections/acme/base/1.10.0"), StringComparison.Ordinal);
        Assert.Contains("There is no version 9.9.9 of acme.base.", await PageAsync("/collections/acme/base/9.9.9", HttpStatusCode.NotFound), StringComparison.Ordinal);
        Assert.Contains("There is no collection acme.nope.", await PageAsync("/collections/acme/nope", HttpStatusCode.NotFound), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Collection_DependenciesLinkToTheCollectionsHostedHere()
    {
        var deps = Section(await PageAsync("/collections/acme/web"), "dependencies");
        var rows = Rows(deps, "dependency-list");
        Assert.Equal(3, rows.Count);
        Assert.Contains("<td><a href=\"/collections/acme/base\">acme.base</a></td><td class=\"mono\">&gt;=1.2.0</td>",
            Row(deps, "dependency-list", "acme.base"), StringComparison.Ordinal);
        Assert.Contains("<td><a href=\"/collections/other/tools\">other.tools</a></td><td class=\"mono\">*</td>",
            Row(deps, "dependency-list", "other.tools"), StringComparison.Ordinal);
        var external = Row(deps, "dependency-list", "community.general");
        Assert.DoesNotContain("<a ", external, StringComparison.Ordinal);
        Assert.Contains("not on this server", external, StringComparison.Ordinal);
        Assert.Contains("None.", Section(await PageAsync("/collections/acme/base"), "dependencies"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Collection_ReadmeIsRenderedFromMarkdown_AndItsHtmlIsShownAsText()
    {
        var html = await PageAsync("/collections/acme/web");
        var readme = Section(html, "readme-body");
        Assert.Contains("<h3>Web servers</h3>", readme, StringComparison.Ordinal);
        Assert.Contains("<h4>Usage</h4>", readme, StringComparison.Ordinal);
        Assert.Contains("Deploys <strong>web</strong> servers with <code>nginx</code>.", readme, StringComparison.Ordinal);
        Assert.Contains("<td>web_port</td>", readme, StringComparison.Ordinal);
        Assert.Contains("<pre><code class=\"language-yaml\">- hosts: web", readme, StringComparison.Ordinal);
        Assert.Contains("<a href=\"https://docs.example.com/web\" rel=\"nofollow noopener noreferrer\">the guide</a>", readme, StringComparison.Ordinal);
        // Raw HTML is text; script links lose their link.
        Assert.Contains("&lt;script&gt;window.pwned=1&lt;/script&gt;", readme, StringComparison.Ordinal);
        Assert.Contains("&lt;img src=x onerror=&quot;window.pwned=2&quot;&gt;", readme, StringComparison.Ordinal);
        Assert.Contains("not this or javascript:window.pwned=4.", readme, StringComparison.Ordinal);
        Assert.DoesNotContain("<img", html, StringComparison.Ordinal);
        Assert.DoesNotContain("href=\"javascript", html, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(2, ScriptTag().Matches(html).Count); // the layout's own two
    }

    [Fact]
    public async Task Imports_NeedALogin_AndShowOnlyTheUsersOwn()
    {
        await PageAsync("/imports", HttpStatusCode.Unauthorized);
        await PageAsync($"/imports/{registry.FailedImport}", HttpStatusCode.Unauthorized);
        using (var wrong = new HttpRequestMessage(HttpMethod.Get, "/imports"))
        {
            wrong.Headers.Authorization = RegistryServer.Basic("alice", "not-her-password");
            using var response = await registry.Http.SendAsync(wrong);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }

        var alice = await PageAsync("/imports", user: Alice);
        Assert.Contains("<h1>My imports</h1>", alice, StringComparison.Ordinal);
        var rows = Rows(alice, "import-list");
        Assert.Equal(6, rows.Count); // four of acme.base, acme.web, and the refused one
        var failed = Row(alice, "import-list", registry.FailedImport);
        Assert.Contains("class=\"st failed\"", failed, StringComparison.Ordinal);
        Assert.Contains("acme.base 3.0.0", failed, StringComparison.Ordinal);
        Assert.Contains("the file name says version &#x27;3.0.0&#x27; but MANIFEST.json: collection_info.version is &#x27;1.2.0&#x27;", failed, StringComparison.Ordinal);
        Assert.Equal(5, rows.Count(r => r.Contains("class=\"st completed\"", StringComparison.Ordinal)));
        Assert.Contains(registry.FailedImport, rows[0], StringComparison.Ordinal); // newest first
        Assert.DoesNotContain(registry.BobImport, alice, StringComparison.Ordinal);
        Assert.DoesNotContain("other.tools", alice, StringComparison.Ordinal);
        Assert.DoesNotContain("Everyone's", alice, StringComparison.Ordinal);

        var bob = await PageAsync("/imports", user: Bob);
        Assert.Contains(registry.BobImport, Assert.Single(Rows(bob, "import-list")), StringComparison.Ordinal);
        Assert.DoesNotContain(registry.FailedImport, bob, StringComparison.Ordinal);
        // bob may not open alice's import: to him it does not exist.
        Assert.Contains("There is no import", await PageAsync($"/imports/{registry.FailedImport}", HttpStatusCode.NotFound, Bob), StringComparison.Ordinal);
        // ?all is for administrators only.
        Assert.DoesNotContain(registry.FailedImport, await PageAsync("/imports?all=1", user: Bob), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Import_ShowsItsWholeLog_LevelsMarked_AndTheError()
    {
        var html = await PageAsync($"/imports/{registry.FailedImport}", user: Alice);
        Assert.Contains("<span class=\"st failed\" id=\"state\">failed</span> Import of acme-base-3.0.0.tar.gz", html, StringComparison.Ordinal);
        Assert.Contains("<span class=\"mono\" id=\"error-code\">ImporterError</span>", html, StringComparison.Ordinal);
        Assert.Contains("<p class=\"msg\" id=\"error-description\">acme-base-3.0.0.tar.gz: the file name says version &#x27;3.0.0&#x27;", html, StringComparison.Ordinal);
        var log = Section(html, "import-log");
        var lines = LogLine().Matches(log).Select(m => (Class: m.Groups[1].Value, Level: m.Groups[2].Value, Text: m.Groups[3].Value)).ToList();
        Assert.True(lines.Count >= 3, log);
        Assert.All(lines, l => Assert.Equal(l.Level switch { "ERROR" => "lv-error", "WARNING" => "lv-warning", _ => "lv-info" }, l.Class));
        Assert.StartsWith("Import of acme-base-3.0.0.tar.gz by alice started", lines[0].Text, StringComparison.Ordinal);
        Assert.Contains(lines, l => l.Level == "INFO" && l.Text.StartsWith("Checked FILES.json", StringComparison.Ordinal));
        var error = Assert.Single(lines, l => l.Level == "ERROR");
        Assert.Contains("collection_info.version is &#x27;1.2.0&#x27;", error.Text, StringComparison.Ordinal);
        Assert.Contains("<span class=\"failed\">1 error</span>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("id=\"published\"", html, StringComparison.Ordinal);

        // A completed import links to the version it brought in, and the version page back to it for its uploader.
        var done = await PageAsync($"/imports/{registry.BobImport}", user: Bob);
        Assert.Contains("<a href=\"/collections/other/tools/0.1.0\" id=\"published\">other.tools 0.1.0</a>", done, StringComparison.Ordinal);
        Assert.DoesNotContain("id=\"import-error\"", done, StringComparison.Ordinal);
        Assert.Contains($"href=\"/imports/{registry.BobImport}\">its import</a>", await PageAsync("/collections/other/tools", user: Bob), StringComparison.Ordinal);
        Assert.DoesNotContain("its import", await PageAsync("/collections/other/tools", user: Alice), StringComparison.Ordinal);
        Assert.DoesNotContain("its import", await PageAsync("/collections/other/tools"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Imports_AnAdministratorSeesEveryonesOnRequest()
    {
        var own = await PageAsync("/imports", user: Root);
        Assert.Contains("id=\"no-imports\"", own, StringComparison.Ordinal);
        Assert.Contains("<a href=\"/imports?all=1\">Everyone's</a>", own, StringComparison.Ordinal);
        var all = await PageAsync("/imports?all=1", user: Root);
        Assert.Contains("<h1>All imports</h1>", all, StringComparison.Ordinal);
        Assert.Equal(7, Rows(all, "import-list").Count);
        Assert.Contains("<td>bob</td>", Row(all, "import-list", registry.BobImport), StringComparison.Ordinal);
        Assert.Contains("<td>alice</td>", Row(all, "import-list", registry.FailedImport), StringComparison.Ordinal);
        Assert.Contains("id=\"error-code\">ImporterError<", await PageAsync($"/imports/{registry.FailedImport}", user: Root), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadLoginRequired_EveryRegistryPageNeedsALogin()
    {
        await using var server = await registry.StartReadLoginServerAsync();
        foreach (var path in new[] { "/collections", "/collections?q=acme", "/collections/acme", "/collections/acme/base", "/collections/acme/base/1.2.0", "/imports" })
        {
            var refused = await PageAsync(server.Http, path, HttpStatusCode.Unauthorized);
            if (path != "/imports")
            {
                Assert.Contains("Galaxy:ReadLoginRequired", refused, StringComparison.Ordinal);
            }
            Assert.DoesNotContain("acme.base", refused, StringComparison.Ordinal);
        }
        using (var download = await server.Http.GetAsync("/api/v3/plugin/ansible/content/published/collections/artifacts/acme-base-1.2.0.tar.gz"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, download.StatusCode);
        }
        var html = await PageAsync(server.Http, "/collections/acme/base", user: Alice);
        Assert.Contains("id=\"latest-mark\"", html, StringComparison.Ordinal);
        // ansible-galaxy then needs a token to read.
        Assert.Contains($"ansible-galaxy collection install acme.base:1.10.0 -s {server.Url}/api/galaxy/ --token TOKEN", html, StringComparison.Ordinal);
        Assert.Equal(3, Rows(await PageAsync(server.Http, "/collections", user: Bob), "collection-list").Count);
        // The records keep their own setting (public here).
        await PageAsync(server.Http, "/");
    }

    [GeneratedRegex(@"<tr[ >].*?</tr>", RegexOptions.Singleline)]
    private static partial Regex RowPattern();

    [GeneratedRegex(@"<a href=""/collections/[a-z_]+/[a-z_]+"">([a-z_]+\.[a-z_]+)</a>")]
    private static partial Regex CollectionName();

    [GeneratedRegex(@"<a href=""/collections/[a-z_]+/[a-z_]+/([^""]+)"">")]
    private static partial Regex VersionLink();

    [GeneratedRegex(@"<a href=""([^""]+)"">download</a>")]
    private static partial Regex DownloadLink();

    [GeneratedRegex(@"<script")]
    private static partial Regex ScriptTag();

    [GeneratedRegex(@"<li class=""([a-z-]+)""><time[^>]*>[^<]*</time> <span class=""lv"">([A-Z]+)</span> <span class=""text"">(.*?)</span></li>")]
    private static partial Regex LogLine();
}

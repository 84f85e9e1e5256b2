using System.Net;
using System.Text.RegularExpressions;

namespace Anvil.Ui.Tests;

/// <summary>The pages as a client without JavaScript gets them (plain HTTP) on real recorded runs: filters, status
/// rules, the console, escaping, headers.</summary>
[Collection("recorded")]
[Trait("Category", "Integration")]
public sealed partial class PageTests(RecordedServer recorded)
{
    private HttpClient Http => recorded.Server.Http;

    private async Task<string> PageAsync(string path, HttpStatusCode expected = HttpStatusCode.OK)
    {
        using var response = await Http.GetAsync(path);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        var body = System.Text.Encoding.UTF8.GetString(bytes);
        Assert.True(expected == response.StatusCode, $"{path}: {(int)response.StatusCode}\n{body}");
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Matches(@"^app;dur=\d+(\.\d+)?$", string.Join(",", response.Headers.GetValues("Server-Timing")));
        Assert.Equal(bytes.Length, response.Content.Headers.ContentLength);
        return body;
    }

    private static int Rows(string html, string tableId)
    {
        var start = html.IndexOf($"id=\"{tableId}\"", StringComparison.Ordinal);
        if (start < 0)
        {
            return 0;
        }
        var end = html.IndexOf("</tbody>", start, StringComparison.Ordinal);
        return end < 0 ? 0 : Regex.Matches(html[start..end], "<tr[ >]").Count - 1; // minus the header row
    }

    [Fact]
    public async Task Index_ListsEveryRun_WithItsStatusCountsAndLinks()
    {
        var html = await PageAsync("/");
        foreach (var id in new[] { recorded.Ok, recorded.Failed, recorded.MultiHost, recorded.Demo, recorded.Hostile })
        {
            Assert.Contains($"href=\"/playbooks/{id}\"", html, StringComparison.Ordinal);
        }
        Assert.Contains("<span class=\"st failed\">failed</span>", html, StringComparison.Ordinal);
        Assert.Contains("<span class=\"st completed\">completed</span>", html, StringComparison.Ordinal);
        Assert.Contains("multi_host.yml</a>", html, StringComparison.Ordinal);
        Assert.Equal(5, Rows(html, "playbooks"));
        Assert.Contains("data-live=\"/ui/live?list=1&amp;v=", html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/?status=failed", "failed.yml")]
    [InlineData("/?path=multi_host", "multi_host.yml")]
    [InlineData("/?q=MULTI", "multi_host.yml")]
    [InlineData("/?q=site.yml", "site.yml")]
    [InlineData("/?status=failed&status=completed&path=failed", "failed.yml")]
    public async Task Index_Filters_KeepOnlyMatchingRuns(string path, string only)
    {
        var html = await PageAsync(path);
        Assert.Equal(1, Rows(html, "playbooks"));
        Assert.Contains($">{only}</a>", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Index_DateRangeControllerUserAndVersion_FilterAsTheApiDoes()
    {
        Assert.Equal(5, Rows(await PageAsync("/?started_after=2000-01-01"), "playbooks"));
        Assert.Contains("No playbook matches", await PageAsync("/?started_before=2000-01-01"), StringComparison.Ordinal);
        var today = DateTime.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(5, Rows(await PageAsync($"/?started_after={today}&started_before={today}"), "playbooks"));
        Assert.Equal(5, Rows(await PageAsync($"/?controller={Uri.EscapeDataString(Environment.MachineName)}&user={Uri.EscapeDataString(Environment.UserName)}"), "playbooks"));
        Assert.Equal(5, Rows(await PageAsync("/?ansible_version=2."), "playbooks"));
        Assert.Contains("No playbook matches", await PageAsync("/?ansible_version=0.0.0-none"), StringComparison.Ordinal);
        Assert.Contains("No playbook matches", await PageAsync("/?label=nothing-has-this"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Index_InvalidFilters_AreExplained_NotAnError()
    {
        var html = await PageAsync("/?status=bogus&started_after=yesterday&order=name");
        Assert.Contains("started_after: Enter a valid date/time.", html, StringComparison.Ordinal);
        Assert.Contains("status: Select a valid choice. bogus is not one of the available choices.", html, StringComparison.Ordinal);
        Assert.Equal(0, Rows(html, "playbooks"));
    }

    [Fact]
    public async Task Index_Sorting_ByDurationAndStart()
    {
        var newest = await PageAsync("/");
        var oldest = await PageAsync("/?order=started");
        Assert.True(newest.IndexOf($"/playbooks/{recorded.Hostile}\"", StringComparison.Ordinal) < newest.IndexOf($"/playbooks/{recorded.Ok}\"", StringComparison.Ordinal));
        Assert.True(oldest.IndexOf($"/playbooks/{recorded.Ok}\"", StringComparison.Ordinal) < oldest.IndexOf($"/playbooks/{recorded.Hostile}\"", StringComparison.Ordinal));
        var longest = await PageAsync("/?order=-duration");
        // The demo gathers facts and runs a dozen tasks: it takes longest.
        Assert.True(longest.IndexOf($"/playbooks/{recorded.Demo}\"", StringComparison.Ordinal) < longest.IndexOf($"/playbooks/{recorded.Ok}\"", StringComparison.Ordinal));
        Assert.Contains("Duration ▼", longest, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Playbook_ShowsWhatFailedWhereAndWhy_FirstThing()
    {
        var html = await PageAsync($"/playbooks/{recorded.Failed}");
        var failures = html[html.IndexOf("What failed", StringComparison.Ordinal)..html.IndexOf("id=\"hosts\"", StringComparison.Ordinal)];
        Assert.Contains("failing task", failures, StringComparison.Ordinal);
        Assert.Contains("<span class=\"msg\">boom</span>", failures, StringComparison.Ordinal);
        Assert.Matches(@"href=""/files/\d+#line-6"">failed.yml:6</a>", failures);
        Assert.DoesNotContain("never reached", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Playbook_ResultsFilteredByStatusHostAndTask_WithTheApisStatusRule()
    {
        var hosts = (await recorded.Server.ApiAsync($"/api/v1/hosts?playbook={recorded.MultiHost}&order=name")).GetProperty("results");
        Assert.Equal(3, hosts.GetArrayLength());
        var host2 = hosts[1].GetProperty("id").GetInt64();
        Assert.Equal(3, Rows(await PageAsync($"/playbooks/{recorded.MultiHost}"), "results-table"));
        var one = await PageAsync($"/playbooks/{recorded.MultiHost}?host={host2}");
        Assert.Equal(1, Rows(one, "results-table"));
        Assert.Contains(">host2</a>", one[one.IndexOf("id=\"results-table\"", StringComparison.Ordinal)..], StringComparison.Ordinal);
        Assert.Contains("No result matches these filters.", await PageAsync($"/playbooks/{recorded.MultiHost}?status=failed"), StringComparison.Ordinal);

        // The demo has one ignored failure and changed results: shown as the API shows them.
        var ignored = await PageAsync($"/playbooks/{recorded.Demo}?status=ignored");
        Assert.Equal(1, Rows(ignored, "results-table"));
        Assert.Contains("failed task (ignored)", ignored, StringComparison.Ordinal);
        var changed = await PageAsync($"/playbooks/{recorded.Demo}?status=changed");
        var api = await recorded.Server.ApiAsync($"/api/v1/results?playbook={recorded.Demo}&changed=true&status=ok");
        Assert.Equal(api.GetProperty("count").GetInt32(), Rows(changed, "results-table"));
        Assert.DoesNotContain("class=\"st ok\"", changed[changed.IndexOf("id=\"results-table\"", StringComparison.Ordinal)..], StringComparison.Ordinal);
        var task = (await recorded.Server.ApiAsync($"/api/v1/tasks?playbook={recorded.MultiHost}")).GetProperty("results")[0].GetProperty("id").GetInt64();
        Assert.Equal(3, Rows(await PageAsync($"/playbooks/{recorded.MultiHost}?task={task}"), "results-table"));

        // The hosts table counts as Ansible's recap does, and links each counter to those results.
        var demo = await PageAsync($"/playbooks/{recorded.Demo}");
        Assert.Matches(@"<a class=""ignored"" href=""\?host=\d+&amp;status=ignored#results"">1</a>", demo);
        Assert.Contains("<span class=\"rescued\">1</span>", demo, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownRecords_AnswerAThemedNotFoundPage()
    {
        foreach (var path in new[] { "/playbooks/999999", "/results/999999", "/hosts/999999", "/files/999999", "/playbooks/999999/output", "/no/such/page" })
        {
            var html = await PageAsync(path, HttpStatusCode.NotFound);
            Assert.Contains("<h1>Not found</h1>", html, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task AraAddresses_LeadToTheSamePages()
    {
        var html = await PageAsync($"/playbooks/{recorded.Failed}.html");
        Assert.Contains("failing task", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Result_ShowsItsPlaceAndItsContentReadably()
    {
        var id = (await recorded.Server.ApiAsync($"/api/v1/results?playbook={recorded.Demo}&ignore_errors=true")).GetProperty("results")[0].GetProperty("id").GetInt64();
        var html = await PageAsync($"/results/{id}");
        Assert.Contains("<span class=\"st ignored\">ignored</span>", html, StringComparison.Ordinal);
        Assert.Matches(@"href=""/files/\d+#line-\d+"">[^<]*site\.yml:\d+</a>", html);
        // msg first, then the rest; lists collapse into <details>.
        Assert.True(html.IndexOf("id=\"field-msg\"", StringComparison.Ordinal) < html.IndexOf("id=\"field-rc\"", StringComparison.Ordinal));
        Assert.Contains("<span class=\"j-s\">non-zero return code</span>", html, StringComparison.Ordinal);
        Assert.Matches(@"<tr id=""field-cmd""><th><a href=""#field-cmd"">cmd</a></th><td><details class=""j"" open><summary>\[ 1 item \]</summary>", html);
    }

    [Fact]
    public async Task File_HasAnAnchorPerLine_AndMarksTaskLines()
    {
        var file = (await recorded.Server.ApiAsync($"/api/v1/files?playbook={recorded.Failed}")).GetProperty("results")[0].GetProperty("id").GetInt64();
        var html = await PageAsync($"/files/{file}");
        Assert.Contains("<span class=\"l t\" id=\"line-6\"><a class=\"ln\" href=\"#line-6\" data-n=\"6\"></a>", html, StringComparison.Ordinal);
        Assert.Contains("<span class=\"y-k\">name</span><span class=\"y-p\">:</span> failing task", html, StringComparison.Ordinal);
        Assert.Contains($"href=\"/playbooks/{recorded.Failed}?task=", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Host_FactsSearch_WorksWithoutJavaScript()
    {
        var host = (await recorded.Server.ApiAsync($"/api/v1/hosts?playbook={recorded.Demo}")).GetProperty("results")[0].GetProperty("id").GetInt64();
        var all = await PageAsync($"/hosts/{host}");
        var some = await PageAsync($"/hosts/{host}?q=python_version");
        Assert.True(Rows(all, "facts") > 20);
        var found = Rows(some, "facts");
        Assert.InRange(found, 1, 5);
        Assert.Contains("<td class=\"mono\">ansible_python_version</td>", some, StringComparison.Ordinal);
        Assert.Contains($"{found} of {Rows(all, "facts")}", some, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Console_RendersAnsiColoursAsHtml_AndLinksResults()
    {
        var html = await PageAsync($"/playbooks/{recorded.Demo}/output");
        Assert.DoesNotContain("\u001b", html, StringComparison.Ordinal);
        Assert.Contains("<span class=\"a-f3\">changed: [localhost]</span>", html, StringComparison.Ordinal);
        Assert.Contains("<span class=\"a-f1\">fatal: [localhost]: FAILED!", html, StringComparison.Ordinal);
        // Every result is linked from its lines; a loop's item lines link to the loop's result.
        var linked = Regex.Matches(html, @"<a class=""ev"" id=""e\d+"" href=""/results/(\d+)"">").Select(m => long.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).ToHashSet();
        var results = await recorded.Server.ApiAsync($"/api/v1/results?playbook={recorded.Demo}&limit=1000");
        Assert.Equal(results.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("id").GetInt64()).Order(), linked.Order());
        Assert.Matches(@"<a class=""ev"" id=""e\d+"" href=""/results/\d+""><span class=""a-f6"">skipping: \[localhost\] =&gt; \(item=two\)", html);
        Assert.Contains("PLAY RECAP", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HostileStrings_AreEscapedEverywhere()
    {
        var result = (await recorded.Server.ApiAsync($"/api/v1/results?playbook={recorded.Hostile}")).GetProperty("results")[0].GetProperty("id").GetInt64();
        var file = (await recorded.Server.ApiAsync($"/api/v1/files?playbook={recorded.Hostile}")).GetProperty("results")[0].GetProperty("id").GetInt64();
        var host = (await recorded.Server.ApiAsync($"/api/v1/hosts?playbook={recorded.Hostile}")).GetProperty("results")[0].GetProperty("id").GetInt64();
        foreach (var path in new[] { "/", "/?q=%3Cscript%3E", $"/playbooks/{recorded.Hostile}", $"/playbooks/{recorded.Hostile}/output", $"/results/{result}", $"/files/{file}", $"/hosts/{host}" })
        {
            var html = await PageAsync(path);
            Assert.DoesNotContain("<script>window", html, StringComparison.Ordinal);
            Assert.DoesNotContain("<img", html, StringComparison.Ordinal);
            Assert.Equal(2, Regex.Matches(html, "<script").Count); // the layout's own two, nothing from the records
        }
        var page = await PageAsync($"/results/{result}");
        Assert.Contains("&lt;script&gt;window.pwned=1&lt;/script&gt; hostile task", page, StringComparison.Ordinal);
        Assert.Contains("&lt;img src=x onerror=window.pwned=2&gt; &amp; ", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UiResponses_CarryACspThatForbidsInlineScript()
    {
        using var response = await Http.GetAsync("/");
        var csp = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("script-src 'self'", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline", csp, StringComparison.Ordinal);
        Assert.Equal("nosniff", string.Join("", response.Headers.GetValues("X-Content-Type-Options")));
    }

    [Fact]
    public async Task Assets_AreServedWithContentHashes_AndCachedForever()
    {
        var html = await PageAsync("/");
        var css = Regex.Match(html, @"href=""(/static/anvil\.css\?v=[0-9a-f]+)""").Groups[1].Value;
        using var response = await Http.GetAsync(css);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/css", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("immutable", response.Headers.CacheControl?.ToString() ?? "", StringComparison.Ordinal);
        Assert.Contains(":root", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var stale = await Http.GetAsync("/static/anvil.css");
        Assert.Equal("no-cache", stale.Headers.CacheControl?.ToString());
        using var missing = await Http.GetAsync("/static/nothing.js");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task Live_AFinishedPlaybookStream_SaysChangedThenDone_AndEnds()
    {
        using var response = await Http.GetAsync($"/ui/live?playbook={recorded.Ok}&v=stale", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.Matches(@"^app;dur=", string.Join(",", response.Headers.GetValues("Server-Timing")));
        var text = await response.Content.ReadAsStringAsync(); // ends by itself: the run is over
        Assert.Contains("event: change\ndata: completed ", text, StringComparison.Ordinal);
        Assert.EndsWith("event: done\ndata: \n\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Live_TheListStream_ReportsAChangeAgainstAnOldVersion()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var response = await Http.GetAsync("/ui/live?list=1&v=old", HttpCompletionOption.ResponseHeadersRead, cts.Token);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cts.Token));
        string? line;
        while ((line = await reader.ReadLineAsync(cts.Token)) is not null && line != "event: change")
        {
        }
        Assert.Equal("event: change", line);
    }
}

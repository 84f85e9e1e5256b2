using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;

namespace Anvil.Ui.Tests;

/// <summary>Long lists page; labels, controllers and users filter; an empty database says how to start; read login
/// covers the UI.</summary>
[Trait("Category", "Integration")]
public sealed class PagingTests
{
    private static int Rows(string html, string tableId)
    {
        var start = html.IndexOf($"id=\"{tableId}\"", StringComparison.Ordinal);
        return start < 0 ? 0 : Regex.Matches(html[start..html.IndexOf("</tbody>", start, StringComparison.Ordinal)], "<tr[ >]").Count - 1;
    }

    private static string At(int minute) =>
        new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).AddMinutes(minute).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    [Fact]
    public async Task PlaybookList_PagesFiltersAndSorts_ManyPlaybooks()
    {
        await using var server = await LocalServer.StartAsync();
        for (var i = 1; i <= 120; i++)
        {
            await server.PostAsync("playbooks", new
            {
                name = $"deploy {i:000}",
                path = $"/srv/site{i % 3}.yml",
                ansible_version = i % 2 == 0 ? "2.16.1" : "2.14.18",
                status = i % 10 == 0 ? "failed" : "completed",
                started = At(i),
                ended = At(i + i % 7),
                controller = i % 4 == 0 ? "ci-runner" : "laptop",
                user = i % 5 == 0 ? "alice" : "bob",
                labels = i % 6 == 0 ? new[] { "prod", "weekly" } : new[] { "dev" },
            });
        }
        var first = await server.Http.GetStringAsync("/");
        Assert.Equal(50, Rows(first, "playbooks"));
        Assert.Contains("1–50 of 120", first, StringComparison.Ordinal);
        Assert.Contains(">deploy 120</a>", first, StringComparison.Ordinal); // newest first
        Assert.Contains("href=\"/?offset=50\" rel=\"next\"", first, StringComparison.Ordinal);
        Assert.Contains("href=\"/?offset=100\" rel=\"last\"", first, StringComparison.Ordinal);

        var third = await server.Http.GetStringAsync("/?page=3");
        Assert.Equal(20, Rows(third, "playbooks"));
        Assert.Contains("101–120 of 120", third, StringComparison.Ordinal);
        Assert.Contains(">deploy 001</a>", third, StringComparison.Ordinal);

        var slice = await server.Http.GetStringAsync("/?limit=10&offset=5&order=started");
        Assert.Equal(10, Rows(slice, "playbooks"));
        Assert.Equal(Enumerable.Range(6, 10).Select(i => $"deploy {i:000}"), Regex.Matches(slice, @">(deploy \d+)</a>").Select(m => m.Groups[1].Value));
        Assert.Contains("href=\"/?limit=10&amp;order=started&amp;offset=15\" rel=\"next\"", slice, StringComparison.Ordinal);

        var prod = await server.Http.GetStringAsync("/?label=prod&limit=100");
        Assert.Equal(20, Rows(prod, "playbooks"));
        Assert.Contains("<a class=\"label\" href=\"/?label=weekly\">weekly</a>", prod, StringComparison.Ordinal);
        Assert.Equal(30, Rows(await server.Http.GetStringAsync("/?controller=ci-runner&limit=100"), "playbooks"));
        Assert.Equal(24, Rows(await server.Http.GetStringAsync("/?user=alice&limit=100"), "playbooks"));
        Assert.Equal(60, Rows(await server.Http.GetStringAsync("/?ansible_version=2.16&limit=100"), "playbooks"));
        Assert.Equal(12, Rows(await server.Http.GetStringAsync("/?status=failed"), "playbooks"));
        Assert.Equal(1, Rows(await server.Http.GetStringAsync("/?q=deploy%20077"), "playbooks"));
        Assert.Equal(20, Rows(await server.Http.GetStringAsync("/?q=weekly&limit=100"), "playbooks"));
        var window = await server.Http.GetStringAsync($"/?started_after={Uri.EscapeDataString(At(10))}&started_before={Uri.EscapeDataString(At(19))}");
        Assert.Equal(10, Rows(window, "playbooks"));
        var longest = await server.Http.GetStringAsync("/?order=-duration&limit=1");
        Assert.Matches(@">deploy \d+</a>", longest);
        Assert.Contains("limit=1&amp;order=duration", longest, StringComparison.Ordinal); // the header flips the order
    }

    [Fact]
    public async Task PlaybookPage_PagesItsResultsAndTasks()
    {
        await using var server = await LocalServer.StartAsync();
        var playbook = await server.PostAsync("playbooks", new { path = "/srv/big.yml", ansible_version = "2.16.1", status = "completed", started = At(0), ended = At(9) });
        var file = await server.PostAsync("files", new { path = "/srv/big.yml", content = "- hosts: all\n", playbook });
        var play = await server.PostAsync("plays", new { name = "big", uuid = Guid.NewGuid().ToString(), playbook, started = At(0) });
        var host = await server.PostAsync("hosts", new { name = "web1", playbook });
        for (var t = 0; t < 125; t++)
        {
            var task = await server.PostAsync("tasks", new { name = $"task {t:000}", action = "debug", lineno = t + 1, handler = false, play, file, playbook, started = At(t), uuid = Guid.NewGuid().ToString() });
            foreach (var status in t % 25 == 0 ? new[] { "ok", "failed" } : new[] { "ok" })
            {
                await server.PostAsync("results", new { status, host, task, play, playbook, started = At(t), ended = At(t + 1), content = new { msg = $"result of {t}" } });
            }
        }
        var html = await server.Http.GetStringAsync($"/playbooks/{playbook}");
        Assert.Equal(100, Rows(html, "results-table"));
        Assert.Contains("1–100 of 130", html, StringComparison.Ordinal);
        var page2 = await server.Http.GetStringAsync($"/playbooks/{playbook}?page=2");
        Assert.Equal(30, Rows(page2, "results-table"));
        Assert.Contains("101–130 of 130", page2, StringComparison.Ordinal);
        var failed = await server.Http.GetStringAsync($"/playbooks/{playbook}?status=failed&limit=2");
        Assert.Equal(2, Rows(failed, "results-table"));
        Assert.Contains("1–2 of 5", failed, StringComparison.Ordinal);
        var newest = await server.Http.GetStringAsync($"/playbooks/{playbook}?order=-started&limit=1");
        Assert.Contains(">task 124</a>", newest, StringComparison.Ordinal);
        Assert.Contains("1–100 of 125", html, StringComparison.Ordinal); // tasks
        var tasks2 = await server.Http.GetStringAsync($"/playbooks/{playbook}?tasks_page=2");
        Assert.Contains("101–125 of 125", tasks2, StringComparison.Ordinal);
        Assert.Contains(">task 124<", tasks2, StringComparison.Ordinal);
        Assert.Contains("Failed results (rescued: the run still completed)</strong>", html, StringComparison.Ordinal); // it completed
        Assert.Contains("<span class=\"msg\">result of 0</span>", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EmptyDatabase_ExplainsHowToRecordAFirstRun()
    {
        await using var server = await LocalServer.StartAsync();
        var html = await server.Http.GetStringAsync("/");
        Assert.Contains("No playbook has been recorded yet", html, StringComparison.Ordinal);
        Assert.Contains("./anvil run examples/demo -p site.yml", html, StringComparison.Ordinal);
        Assert.Contains($"--record-to {server.Http.BaseAddress!.ToString().TrimEnd('/')}", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadLoginRequired_CoversThePagesTheAssetsAndTheLiveStream()
    {
        await using var server = await LocalServer.StartAsync(readLoginRequired: true);
        await server.AddUserAsync("alice", "s3cret-pass");
        foreach (var path in new[] { "/", "/playbooks/1", "/static/anvil.css", "/ui/live?list=1" })
        {
            using var anonymous = await server.Http.GetAsync(path);
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
            Assert.StartsWith("Basic", anonymous.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        }
        using var request = new HttpRequestMessage(HttpMethod.Get, "/");
        request.Headers.Authorization = LocalServer.Basic("alice", "s3cret-pass");
        using var response = await server.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("No playbook has been recorded yet", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}

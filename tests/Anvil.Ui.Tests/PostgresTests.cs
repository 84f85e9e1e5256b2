using System.Globalization;
using Anvil.Server.Ui.Export;

namespace Anvil.Ui.Tests;

/// <summary>The same pages on PostgreSQL (no change stamp there: the live stream polls the version).</summary>
[Trait("Category", "Integration")]
public sealed class PostgresTests
{
    private static string At(int second) =>
        new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero).AddSeconds(second).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    [Fact]
    public async Task EveryPage_LiveStreamAndExport_WorkOnPostgres()
    {
        using var cluster = new PostgresCluster();
        cluster.CreateDatabase("ui");
        var connection = cluster.ConnectionString("ui");
        long playbook, result, host, file;
        await using (var server = await LocalServer.StartAsync(database: connection))
        {
            playbook = await server.PostAsync("playbooks", new
            {
                name = "pg run",
                path = "/srv/pg.yml",
                ansible_version = "2.16.1",
                status = "failed",
                started = At(0),
                ended = At(30),
                labels = new[] { "pg" },
                controller = "db-host",
                user = "carol",
            });
            file = await server.PostAsync("files", new { path = "/srv/pg.yml", content = "- hosts: all\n  tasks:\n    - name: first\n      ping:\n", playbook });
            var play = await server.PostAsync("plays", new { name = "pg play", uuid = Guid.NewGuid().ToString(), playbook, started = At(0) });
            host = await server.PostAsync("hosts", new { name = "db1", playbook, facts = new { ansible_distribution = "Debian", ansible_python = new { version = new { major = 3 } } } });
            var task = await server.PostAsync("tasks", new { name = "first", action = "ping", lineno = 3, handler = false, play, file, playbook, started = At(1), uuid = Guid.NewGuid().ToString() });
            await server.PostAsync("results", new { status = "ok", changed = true, host, task, play, playbook, started = At(1), ended = At(2), content = new { changed = true } });
            await server.PostAsync("results", new { status = "failed", ignore_errors = true, host, task, play, playbook, started = At(3), ended = At(4), content = new { msg = "ignored one" } });
            result = await server.PostAsync("results", new { status = "failed", host, task, play, playbook, started = At(5), ended = At(6), content = new { msg = "pg failure" } });
            await server.PostAsync("records", new { key = "answer", value = 42, type = "int", playbook });

            var index = await server.Http.GetStringAsync("/?status=failed&label=pg&q=pg%20run");
            Assert.Contains(">pg run</a>", index, StringComparison.Ordinal);
            var page = await server.Http.GetStringAsync($"/playbooks/{playbook}");
            Assert.Contains("<span class=\"msg\">pg failure</span>", page, StringComparison.Ordinal);
            Assert.Contains($"<a class=\"ignored\" href=\"?host={host}&amp;status=ignored#results\">1</a>", page, StringComparison.Ordinal);
            Assert.Contains("answer", page, StringComparison.Ordinal);
            var ignored = await server.Http.GetStringAsync($"/playbooks/{playbook}?status=ignored");
            Assert.Contains("1 matching", ignored, StringComparison.Ordinal);
            var changed = await server.Http.GetStringAsync($"/playbooks/{playbook}?status=changed&host={host}");
            Assert.Contains("1 matching", changed, StringComparison.Ordinal);
            Assert.Contains("pg failure", await server.Http.GetStringAsync($"/results/{result}"), StringComparison.Ordinal);
            Assert.Contains("ansible_python.version.major", await server.Http.GetStringAsync($"/hosts/{host}?q=major"), StringComparison.Ordinal);
            Assert.Contains("id=\"line-3\"", await server.Http.GetStringAsync($"/files/{file}"), StringComparison.Ordinal);
            var live = await server.Http.GetStringAsync($"/ui/live?playbook={playbook}&v=old");
            Assert.Contains("event: change\ndata: failed ", live, StringComparison.Ordinal);
            Assert.EndsWith("event: done\ndata: \n\n", live, StringComparison.Ordinal);
        }
        using var dir = new TempDir();
        var summary = await StaticSiteExporter.ExportAsync(connection, Path.Combine(dir.Path, "site"), new ExportSelection());
        Assert.Equal(1, summary.Playbooks);
        Assert.True(File.Exists(Path.Combine(dir.Path, "site", "results", $"{result}.html")));
        Assert.True(File.Exists(Path.Combine(dir.Path, "site", "hosts", $"{host}.html")));
    }
}

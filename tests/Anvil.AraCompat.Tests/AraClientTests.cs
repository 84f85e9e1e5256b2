using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Anvil.AraCompat.Tests.Harness;

namespace Anvil.AraCompat.Tests;

/// <summary>
/// ARA's own clients against the server: the callback (with its action plugin ara_record) records
/// tests/fixtures/ara/site.yml through the http client, then the API must hold exactly what ARA itself would hold,
/// and ARA's CLI must read it. Run once per database by the subclasses below.
/// </summary>
[Trait("Category", "Integration")]
public abstract class AraClientTests<TFixture>(TFixture site) where TFixture : SiteRunFixture
{
    private ApiReader Api => site.Api;
    private long Id => site.PlaybookId;

    [Fact]
    public void Playbook_RunsToTheExpectedRecapWithoutRecordingErrors()
    {
        // rc 4: a host was unreachable (ansible-playbook's exit codes); anything else means the run itself broke.
        Assert.True(site.Run.Result.ExitCode == 4, site.Context);
        Assert.Equal(Site.Recap, site.Run.Recap);
        // ARA logs HTTP errors and swallowed exceptions instead of failing the run: they must not be there.
        Assert.True(Ara.RecordingErrors(site.Run.Result.Output).Count == 0,
            "recording errors:\n" + string.Join('\n', Ara.RecordingErrors(site.Run.Result.Output)) + "\n" + site.Context);
    }

    [Fact]
    public async Task Playbook_HasStatusNamePathLabelsAndItemCounts()
    {
        Assert.True(Id > 0, "no playbook recorded\n" + site.Context);
        Assert.Equal(1, await Api.CountAsync("/api/v1/playbooks"));
        var p = await Api.GetAsync($"/api/v1/playbooks/{Id}");
        Assert.Equal("failed", p.GetProperty("status").GetString());
        Assert.Equal(Site.Name, p.GetProperty("name").GetString());
        Assert.Equal(Site.PathOf("site.yml"), p.GetProperty("path").GetString());
        Assert.Equal("2.14.18", p.GetProperty("ansible_version").GetString());
        Assert.Equal(JsonValueKind.String, p.GetProperty("ended").ValueKind);
        Assert.Equal(JsonValueKind.String, p.GetProperty("duration").ValueKind);
        var labels = p.GetProperty("labels").EnumerateArray().Select(l => l.GetProperty("name").GetString()).Order();
        Assert.Equal(Site.Labels.Order(), labels);
        var arguments = p.GetProperty("arguments");
        Assert.Equal("site.yml", arguments.GetProperty("args")[0].GetString());
        Assert.Equal("Not saved by ARA as configured by 'ignored_arguments'", arguments.GetProperty("extra_vars").GetString());

        var items = p.GetProperty("items");
        Assert.Equal(Site.Plays, items.GetProperty("plays").GetInt32());
        Assert.Equal(Site.Tasks, items.GetProperty("tasks").GetInt32());
        Assert.Equal(Site.Results, items.GetProperty("results").GetInt32());
        Assert.Equal(Site.Hosts, items.GetProperty("hosts").GetInt32());
        Assert.Equal(Site.Files, items.GetProperty("files").GetInt32());
        Assert.Equal(Site.Records, items.GetProperty("records").GetInt32());

        // The filters ARA's UI and CLI use find it.
        Assert.Equal(1, await Api.CountAsync($"/api/v1/playbooks?label=ara-compat"));
        Assert.Equal(1, await Api.CountAsync($"/api/v1/playbooks?name=compat%20SITE"));
        Assert.Equal(1, await Api.CountAsync($"/api/v1/playbooks?status=failed"));
        Assert.Equal(0, await Api.CountAsync($"/api/v1/playbooks?status=completed"));
    }

    [Fact]
    public async Task Plays_AreBothCompleted()
    {
        var plays = await Api.ListAllAsync($"/api/v1/plays?playbook={Id}&order=id");
        Assert.Equal(["every status on three local hosts", "an unreachable host"],
            plays.Select(p => p.GetProperty("name").GetString()));
        Assert.All(plays, p => Assert.Equal("completed", p.GetProperty("status").GetString()));
        Assert.All(plays, p => Assert.Equal(JsonValueKind.String, p.GetProperty("ended").ValueKind));
    }

    [Fact]
    public async Task Results_AreCountedPerStatusChangedAndIgnoreErrors()
    {
        Assert.Equal(Site.Results, await Api.CountAsync($"/api/v1/results?playbook={Id}"));
        foreach (var (status, count) in Site.StoredStatus)
        {
            Assert.True(count == await Api.CountAsync($"/api/v1/results?playbook={Id}&status={status}"), $"status={status}");
        }
        Assert.Equal(Site.ChangedTrue, await Api.CountAsync($"/api/v1/results?playbook={Id}&changed=true"));
        Assert.Equal(Site.Results - Site.ChangedTrue, await Api.CountAsync($"/api/v1/results?playbook={Id}&changed=false"));
        Assert.Equal(Site.IgnoreErrorsTrue, await Api.CountAsync($"/api/v1/results?playbook={Id}&ignore_errors=true"));
        // Repeated status values are OR-ed.
        Assert.Equal(4 + 1 + 7, await Api.CountAsync($"/api/v1/results?playbook={Id}&status=failed&status=unreachable&status=skipped"));

        // Lists show the rewritten status: changed and ignored.
        var results = await Api.ListAllAsync($"/api/v1/results?playbook={Id}&limit=10");
        var shown = results.GroupBy(r => r.GetProperty("status").GetString()!).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(Site.ShownStatus.OrderBy(kv => kv.Key), shown.OrderBy(kv => kv.Key));
        Assert.All(results, r => Assert.Equal(Id, r.GetProperty("playbook").GetInt64()));
    }

    [Fact]
    public async Task HostStats_AreThePlayRecap()
    {
        var hosts = await Api.ListAllAsync($"/api/v1/hosts?playbook={Id}");
        Assert.Equal(Site.Hosts, hosts.Count);
        var recorded = hosts.ToDictionary(h => h.GetProperty("name").GetString()!, h => new HostRecap(
            h.GetProperty("ok").GetInt32(), h.GetProperty("changed").GetInt32(), h.GetProperty("unreachable").GetInt32(),
            h.GetProperty("failed").GetInt32(), h.GetProperty("skipped").GetInt32(), 0, 0));
        Assert.Equal(site.Run.Recap.Keys.Order(), recorded.Keys.Order());
        foreach (var (name, recap) in site.Run.Recap)
        {
            // ARA keeps neither rescued nor ignored.
            Assert.Equal(recap with { Rescued = 0, Ignored = 0 }, recorded[name]);
        }
        Assert.Equal(1, await Api.CountAsync($"/api/v1/hosts?playbook={Id}&failed__gt=0"));
        Assert.Equal(1, await Api.CountAsync($"/api/v1/hosts?playbook={Id}&unreachable__gt=0"));
        Assert.Equal(3, await Api.CountAsync($"/api/v1/hosts?playbook={Id}&changed__gt=1"));
    }

    [Fact]
    public async Task HostsThatGatheredFacts_HaveThem()
    {
        foreach (var name in new[] { "h1", "h2", "h3" })
        {
            var id = await HostIdAsync(name);
            var facts = (await Api.GetAsync($"/api/v1/hosts/{id}")).GetProperty("facts");
            Assert.True(facts.TryGetProperty("ansible_hostname", out _), $"{name} facts: {ApiReader.Clip(facts.ToString())}");
            Assert.True(facts.TryGetProperty("ansible_python", out var python) && python.ValueKind == JsonValueKind.Object);
            Assert.True(facts.EnumerateObject().Count() > 50, $"{name} has only {facts.EnumerateObject().Count()} facts");
            Assert.Equal("Not saved by ARA as configured by 'ignored_facts'", facts.GetProperty("ansible_env").GetString());
        }
        var unreach = (await Api.GetAsync($"/api/v1/hosts/{await HostIdAsync("unreach")}")).GetProperty("facts");
        Assert.Equal("{}", Site.Compact(unreach));

        // The fact-gathering results carry the facts too (ARA stores them twice).
        var gather = await TaskIdAsync("Gathering Facts");
        var first = (await Api.ListAllAsync($"/api/v1/results?task={gather}"))[0];
        var content = (await Api.GetAsync($"/api/v1/results/{first.GetProperty("id").GetInt64()}")).GetProperty("content");
        Assert.True(content.GetProperty("ansible_facts").TryGetProperty("ansible_hostname", out _));
    }

    [Fact]
    public async Task Tasks_AreInOrderWithActionFileLineAndHandlerFlag()
    {
        var tasks = await Api.ListAllAsync($"/api/v1/tasks?playbook={Id}&order=id");
        Assert.Equal(Site.TaskList.Select(t => t.Name), tasks.Select(t => t.GetProperty("name").GetString()));
        var files = (await Api.ListAllAsync($"/api/v1/files?playbook={Id}"))
            .ToDictionary(f => f.GetProperty("id").GetInt64(), f => f.GetProperty("path").GetString());
        for (var i = 0; i < tasks.Count; i++)
        {
            var (name, action, results, handler, file) = Site.TaskList[i];
            var t = tasks[i];
            Assert.Equal(action, t.GetProperty("action").GetString());
            Assert.Equal(handler, t.GetProperty("handler").GetBoolean());
            Assert.True(results == t.GetProperty("items").GetProperty("results").GetInt32(), name);
            Assert.Equal(Site.PathOf(file), files[t.GetProperty("file").GetInt64()]);
            Assert.Equal(Site.PathOf(file), t.GetProperty("path").GetString());
            Assert.True(Site.LineOf(file, name) == t.GetProperty("lineno").GetInt32(), name);
            Assert.Contains(t.GetProperty("status").GetString(), new[] { "completed", "failed" });
            Assert.Equal(JsonValueKind.String, t.GetProperty("ended").ValueKind);
        }
        Assert.Equal(["always"], tasks[0].GetProperty("tags").EnumerateArray().Select(x => x.GetString()));
        Assert.Equal(1, await Api.CountAsync($"/api/v1/tasks?playbook={Id}&handler=true"));
        Assert.Equal(5, await Api.CountAsync($"/api/v1/tasks?playbook={Id}&action=ansible.builtin.debug"));
    }

    [Fact]
    public async Task DelegatedResult_PointsAtTheDelegateHost()
    {
        var task = await TaskIdAsync("delegated from h1 to h2");
        var results = await Api.ListAllAsync($"/api/v1/results?task={task}");
        Assert.Equal(3, results.Count);
        var h1 = await HostIdAsync("h1");
        var h2 = await HostIdAsync("h2");
        var delegated = Assert.Single(results, r => r.GetProperty("host").GetInt64() == h1);
        Assert.Equal([h2], delegated.GetProperty("delegated_to").EnumerateArray().Select(x => x.GetInt64()));
        Assert.Equal("changed", delegated.GetProperty("status").GetString());
        Assert.All(results.Where(r => r.GetProperty("host").GetInt64() != h1), r =>
        {
            Assert.Equal("skipped", r.GetProperty("status").GetString());
            Assert.Equal(0, r.GetProperty("delegated_to").GetArrayLength());
        });
        var detail = await Api.GetAsync($"/api/v1/results/{delegated.GetProperty("id").GetInt64()}");
        Assert.Equal("h2", detail.GetProperty("delegated_to")[0].GetProperty("name").GetString());
        Assert.Equal("h1", detail.GetProperty("host").GetProperty("name").GetString());
        Assert.Equal(1, await Api.CountAsync($"/api/v1/results?playbook={Id}&delegated_to={h2}"));
    }

    [Fact]
    public async Task LoopHandlerAndUnreachableResults_HaveTheirContent()
    {
        var loop = await Api.ListAllAsync($"/api/v1/results?task={await TaskIdAsync("loop of three items")}");
        Assert.Equal(3, loop.Count); // one result per host, the items inside
        var content = (await Api.GetAsync($"/api/v1/results/{loop[0].GetProperty("id").GetInt64()}")).GetProperty("content");
        Assert.Equal(["item one", "item two", "item three"],
            content.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("msg").GetString()));

        var handler = await Api.ListAllAsync($"/api/v1/results?task={await TaskIdAsync("compat handler")}");
        var handlerHosts = new List<long> { await HostIdAsync("h1"), await HostIdAsync("h2") };
        Assert.Equal(handlerHosts.Order(), handler.Select(r => r.GetProperty("host").GetInt64()).Order());

        var unreachable = Assert.Single(await Api.ListAllAsync($"/api/v1/results?playbook={Id}&status=unreachable"));
        var detail = await Api.GetAsync($"/api/v1/results/{unreachable.GetProperty("id").GetInt64()}");
        Assert.Contains("Connection refused", detail.GetProperty("content").GetProperty("msg").GetString());
        Assert.Equal("unreach", detail.GetProperty("host").GetProperty("name").GetString());

        var ignored = await Api.ListAllAsync($"/api/v1/results?playbook={Id}&ignore_errors=true");
        Assert.All(ignored, r => Assert.Equal("ignored", r.GetProperty("status").GetString()));
    }

    [Fact]
    public async Task Files_HoldThePlaybookAndTheFilesItLoaded()
    {
        var files = await Api.ListAllAsync($"/api/v1/files?playbook={Id}");
        Assert.Equal(Site.FilePaths.Select(Site.PathOf).Order(), files.Select(f => f.GetProperty("path").GetString()).Order());
        foreach (var f in files)
        {
            var detail = await Api.GetAsync($"/api/v1/files/{f.GetProperty("id").GetInt64()}");
            var path = detail.GetProperty("path").GetString()!;
            var onDisk = File.ReadAllText(path);
            Assert.Equal(onDisk, detail.GetProperty("content").GetString());
            var sha1 = Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes(onDisk)));
            Assert.Equal(sha1, detail.GetProperty("sha1").GetString());
        }
        Assert.Equal(1, await Api.CountAsync($"/api/v1/files?playbook={Id}&path=included"));
    }

    [Fact]
    public async Task Records_HaveEveryTypeAndValue()
    {
        var records = await Api.ListAllAsync($"/api/v1/records?playbook={Id}");
        Assert.Equal(Site.RecordList.Select(r => r.Key).Order(), records.Select(r => r.GetProperty("key").GetString()).Order());
        foreach (var (key, type, valueJson) in Site.RecordList)
        {
            var found = Assert.Single(await Api.ListAllAsync($"/api/v1/records?playbook={Id}&key={key}"));
            var detail = await Api.GetAsync($"/api/v1/records/{found.GetProperty("id").GetInt64()}");
            Assert.Equal(type, detail.GetProperty("type").GetString());
            Assert.Equal(valueJson, Site.Compact(detail.GetProperty("value")));
        }
    }

    [Fact]
    public async Task AraCli_ListsAndShowsThePlaybook()
    {
        var (list, listJson) = await Ara.CliJsonAsync(site.Server.BaseUrl, "playbook", "list");
        Assert.True(list.ExitCode == 0 && listJson is not null, list.ToString());
        var row = Assert.Single(listJson!.Value.EnumerateArray());
        Assert.Equal(Id, row.GetProperty("id").GetInt64());
        Assert.Equal("failed", row.GetProperty("status").GetString());
        Assert.Equal(Site.PathOf("site.yml"), row.GetProperty("path").GetString());
        Assert.Equal(Site.Tasks, row.GetProperty("tasks").GetInt32());
        Assert.Equal(Site.Results, row.GetProperty("results").GetInt32());
        Assert.Equal(Site.Hosts, row.GetProperty("hosts").GetInt32());

        var (show, showJson) = await Ara.CliJsonAsync(site.Server.BaseUrl, "playbook", "show", Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(show.ExitCode == 0 && showJson is not null, show.ToString());
        var p = showJson!.Value;
        Assert.Equal(Id, p.GetProperty("id").GetInt64());
        Assert.Equal("failed", p.GetProperty("status").GetString());
        Assert.Equal(Site.Results, p.GetProperty("items").GetProperty("results").GetInt32());
        Assert.Equal(Site.Labels.Order(), p.GetProperty("labels").EnumerateArray().Select(l => l.GetProperty("name").GetString()).Order());
        Assert.EndsWith($"/playbooks/{Id}.html", p.GetProperty("report").GetString());
    }

    [Fact]
    public async Task AraCli_ListsResults()
    {
        var (r, json) = await Ara.CliJsonAsync(site.Server.BaseUrl, "result", "list",
            "--playbook", Id.ToString(System.Globalization.CultureInfo.InvariantCulture), "--limit", "100");
        Assert.True(r.ExitCode == 0 && json is not null, r.ToString());
        // Without --ignore-errors the CLI asks for ignore_errors=False: the ignored failures are left out.
        var rows = json!.Value.EnumerateArray().ToList();
        Assert.Equal(Site.Results - Site.IgnoreErrorsTrue, rows.Count);
        var shown = rows.GroupBy(x => x.GetProperty("status").GetString()!).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(Site.ShownStatus.Where(kv => kv.Key != "ignored").OrderBy(kv => kv.Key), shown.OrderBy(kv => kv.Key));
        // The CLI asks for order=-started: most recent first.
        var started = rows.Select(x => DateTimeOffset.Parse(x.GetProperty("started").GetString()!, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(started.OrderDescending(), started);

        var (failed, failedJson) = await Ara.CliJsonAsync(site.Server.BaseUrl, "result", "list",
            "--playbook", Id.ToString(System.Globalization.CultureInfo.InvariantCulture), "--status", "unreachable");
        Assert.True(failed.ExitCode == 0 && failedJson is not null, failed.ToString());
        Assert.Single(failedJson!.Value.EnumerateArray());

        var (ignored, ignoredJson) = await Ara.CliJsonAsync(site.Server.BaseUrl, "result", "list",
            "--playbook", Id.ToString(System.Globalization.CultureInfo.InvariantCulture), "--ignore-errors");
        Assert.True(ignored.ExitCode == 0 && ignoredJson is not null, ignored.ToString());
        Assert.Equal(Enumerable.Repeat("ignored", Site.IgnoreErrorsTrue),
            ignoredJson!.Value.EnumerateArray().Select(x => x.GetProperty("status").GetString()));
    }

    [Fact]
    public async Task AraCli_ListsHostsAndHostMetricsAsTheRecap()
    {
        var (r, json) = await Ara.CliJsonAsync(site.Server.BaseUrl, "host", "list",
            "--playbook", Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(r.ExitCode == 0 && json is not null, r.ToString());
        var rows = json!.Value.EnumerateArray().ToList();
        Assert.Equal(site.Run.Recap.Keys.Order(), rows.Select(x => x.GetProperty("name").GetString()).Order());
        foreach (var row in rows)
        {
            var recap = site.Run.Recap[row.GetProperty("name").GetString()!];
            Assert.Equal(recap.Ok, row.GetProperty("ok").GetInt32());
            Assert.Equal(recap.Failed, row.GetProperty("failed").GetInt32());
            Assert.Equal(recap.Unreachable, row.GetProperty("unreachable").GetInt32());
        }

        var (m, metrics) = await Ara.CliJsonAsync(site.Server.BaseUrl, "host", "metrics",
            "--playbook", Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(m.ExitCode == 0 && metrics is not null, m.ToString());
        var byName = metrics!.Value.EnumerateArray().ToDictionary(x => x.GetProperty("name").GetString()!);
        Assert.Equal(site.Run.Recap.Keys.Order(), byName.Keys.Order());
        foreach (var (name, recap) in site.Run.Recap)
        {
            var row = byName[name];
            Assert.Equal(1, row.GetProperty("count").GetInt32());
            Assert.Equal(recap with { Rescued = 0, Ignored = 0 }, new HostRecap(row.GetProperty("ok").GetInt32(),
                row.GetProperty("changed").GetInt32(), row.GetProperty("unreachable").GetInt32(),
                row.GetProperty("failed").GetInt32(), row.GetProperty("skipped").GetInt32(), 0, 0));
        }
    }

    private async Task<long> HostIdAsync(string name)
    {
        var hosts = await Api.ListAllAsync($"/api/v1/hosts?playbook={Id}&name={name}");
        return Assert.Single(hosts, h => h.GetProperty("name").GetString() == name).GetProperty("id").GetInt64();
    }

    private async Task<long> TaskIdAsync(string name)
    {
        var tasks = await Api.ListAllAsync($"/api/v1/tasks?playbook={Id}&name={Uri.EscapeDataString(name)}");
        return Assert.Single(tasks, t => t.GetProperty("name").GetString() == name).GetProperty("id").GetInt64();
    }
}

/// <summary>ARA's clients against a server on SQLite.</summary>
[Trait("Category", "Integration")]
public sealed class SqliteAraClientTests(SqliteSiteRun site) : AraClientTests<SqliteSiteRun>(site), IClassFixture<SqliteSiteRun>;

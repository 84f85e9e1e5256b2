using System.Text.Json;
using Anvil.Runner;

namespace Anvil.Integration.Tests;

/// <summary>The same private data dir run by the real ansible-runner (Debian's python3-ansible-runner) and by
/// Anvil must give the same artifacts, the same event sequence and the same status and rc.</summary>
[Trait("Category", "Integration")]
public class ConformanceTests
{
    [Theory]
    [InlineData("ok.yml", "successful", 0)]
    [InlineData("failed.yml", "failed", 2)]
    [InlineData("unreachable.yml", "failed", 4)]
    [InlineData("loop.yml", "successful", 0)]
    [InlineData("handler.yml", "successful", 0)]
    [InlineData("include.yml", "successful", 0)]
    [InlineData("role.yml", "successful", 0)]
    [InlineData("block_rescue.yml", "successful", 0)]
    [InlineData("multi_host.yml", "successful", 0)]
    [InlineData("set_stats.yml", "successful", 0)]
    [InlineData("warning.yml", "successful", 0)]
    public async Task SamePrivateDataDir_SameArtifactsEventsAndStatus(string playbook, string status, int rc)
    {
        using var refPdd = Fixtures.Copy(Fixtures.FixturePdd);
        using var anvilPdd = Fixtures.Copy(Fixtures.FixturePdd);
        var refTask = Fixtures.RunReferenceAsync(refPdd.Path, playbook);
        var anvil = await Fixtures.RunAnvilAsync(anvilPdd.Path, playbook);
        var refDir = await refTask;
        AssertSameRun(refDir, anvil, status, rc);
    }

    [Fact]
    public async Task ModuleRun_SameArtifactsEventsAndStatus()
    {
        using var refPdd = Fixtures.Copy(Fixtures.FixturePdd);
        using var anvilPdd = Fixtures.Copy(Fixtures.FixturePdd);
        var refTask = Fixtures.RunReferenceAsync(refPdd.Path, ["-m", "debug", "-a", "msg=from-a-module", "--hosts", "localhost"]);
        var anvil = await Fixtures.RunAnvilAsync(anvilPdd.Path, "", configure: o => o with
        {
            Module = "debug",
            ModuleArgs = "msg=from-a-module",
            HostPattern = "localhost",
        });
        var refDir = await refTask;
        AssertSameRun(refDir, anvil, "successful", 0);
        foreach (var dir in new[] { refDir, anvil.ArtifactDir })
        {
            var events = Fixtures.ReadEvents(dir);
            Assert.All(events, e => Assert.Equal(1, e.GetProperty("ad_hoc_command_id").GetInt32()));
            var ok = events.Single(e => e.GetProperty("event").GetString() == "runner_on_ok");
            Assert.Equal("from-a-module", ok.GetProperty("event_data").GetProperty("res").GetProperty("msg").GetString());
            Assert.Equal("__adhoc_playbook__", Fixtures.Field(ok, "playbook"));
        }
    }

    [Fact]
    public async Task RoleRun_SameArtifactsEventsAndStatus()
    {
        using var refPdd = Fixtures.Copy(Fixtures.FixturePdd);
        using var anvilPdd = Fixtures.Copy(Fixtures.FixturePdd);
        var refTask = Fixtures.RunReferenceAsync(refPdd.Path,
            ["-r", "fixture_role", "--hosts", "localhost", "--role-vars", "fixture_role_message=from-role-vars"]);
        var anvil = await Fixtures.RunAnvilAsync(anvilPdd.Path, "", configure: o => o with
        {
            Role = "fixture_role",
            HostPattern = "localhost",
            RoleVars = new System.Text.Json.Nodes.JsonObject { ["fixture_role_message"] = "from-role-vars" },
        });
        var refDir = await refTask;
        AssertSameRun(refDir, anvil, "successful", 0);
        foreach (var (dir, pdd) in new[] { (refDir, refPdd.Path), (anvil.ArtifactDir, anvilPdd.Path) })
        {
            var messages = Fixtures.ReadEvents(dir).Where(e => e.GetProperty("event").GetString() == "runner_on_ok")
                .Select(e => e.GetProperty("event_data").GetProperty("res"))
                .Where(r => r.TryGetProperty("msg", out _)).Select(r => r.GetProperty("msg").GetString());
            Assert.Contains("from-role-vars", messages);
            // Both generate the play in the project and remove it afterwards.
            Assert.Equal(Directory.GetFiles(Path.Combine(Fixtures.FixturePdd, "project")).Select(Path.GetFileName).Order(),
                Directory.GetFiles(Path.Combine(pdd, "project")).Select(Path.GetFileName).Order());
        }
    }

    private static void AssertSameRun(string refDir, RunResult anvil, string status, int rc)
    {
        Assert.Equal(status, File.ReadAllText(Path.Combine(refDir, "status")));
        Assert.Equal(rc.ToString(), File.ReadAllText(Path.Combine(refDir, "rc")));
        Assert.Equal(status, File.ReadAllText(Path.Combine(anvil.ArtifactDir, "status")));
        Assert.Equal(rc.ToString(), File.ReadAllText(Path.Combine(anvil.ArtifactDir, "rc")));
        Assert.Equal(rc, anvil.Rc);

        Assert.Equal(TopLevelNames(refDir), TopLevelNames(anvil.ArtifactDir));

        // With several hosts, forks finish in any order: compare each host's own sequence, the events that
        // belong to no host in order, and the whole as a multiset.
        var expected = Sequence(refDir);
        var actual = Sequence(anvil.ArtifactDir);
        Assert.Equal(expected.Order(StringComparer.Ordinal), actual.Order(StringComparer.Ordinal));
        foreach (var host in expected.Select(HostOf).Distinct())
        {
            Assert.Equal(expected.Where(x => HostOf(x) == host), actual.Where(x => HostOf(x) == host));
        }

        // Same file names other than the ident: <counter>-<uuid>.json with the same counters, and the same uuids
        // for Ansible's own objects (plays and tasks).
        Assert.Equal(Fixtures.ReadEvents(refDir).Select(e => e.GetProperty("counter").GetInt64()),
            Fixtures.ReadEvents(anvil.ArtifactDir).Select(e => e.GetProperty("counter").GetInt64()));
        Assert.Equal(KeySets(refDir).Order(StringComparer.Ordinal), KeySets(anvil.ArtifactDir).Order(StringComparer.Ordinal));

        Fixtures.AssertStdoutMatchesEvents(anvil.ArtifactDir);
    }

    private static string HostOf(string line) => line.Split(" | ")[1];

    private static List<string> TopLevelNames(string dir) =>
        Directory.EnumerateFileSystemEntries(dir).Select(Path.GetFileName)
            .Where(n => n != "timeout_reason")
            .Order(StringComparer.Ordinal).ToList()!;

    private static List<string> Sequence(string dir) =>
        Fixtures.ReadEvents(dir).Select(e => string.Join(" | ",
            e.GetProperty("event").GetString(),
            Fixtures.Field(e, "host"),
            Fixtures.Field(e, "task"),
            Fixtures.Field(e, "play"),
            Fixtures.Field(e, "task_action"))).ToList();

    private static List<string> KeySets(string dir) =>
        Fixtures.ReadEvents(dir).Select(e =>
        {
            var top = string.Join(',', e.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
            var data = e.TryGetProperty("event_data", out var d) && d.ValueKind == JsonValueKind.Object
                ? string.Join(',', d.EnumerateObject().Select(p => p.Name).Where(n => n != "res_truncated").Order(StringComparer.Ordinal))
                : "";
            return e.GetProperty("event").GetString() + ": " + top + " / " + data;
        }).ToList();
}

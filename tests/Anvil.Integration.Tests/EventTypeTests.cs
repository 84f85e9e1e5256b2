using System.Text.Json;
using Anvil.Events;
using Anvil.Runner;

namespace Anvil.Integration.Tests;

/// <summary>Real ansible-playbook runs of one small playbook per event type.</summary>
[Trait("Category", "Integration")]
public class EventTypeTests
{
    [Theory]
    [InlineData("ok.yml", "successful", 0, "runner_on_ok=1")]
    [InlineData("changed.yml", "successful", 0, "runner_on_ok=1")]
    [InlineData("failed.yml", "failed", 2, "runner_on_failed=1")]
    [InlineData("ignored.yml", "successful", 0, "runner_on_failed=1,runner_on_ok=1")]
    [InlineData("skipped.yml", "successful", 0, "runner_on_skipped=1")]
    [InlineData("loop.yml", "successful", 0, "runner_item_on_ok=1,runner_item_on_skipped=1,runner_item_on_failed=1,runner_on_failed=1")]
    [InlineData("handler.yml", "successful", 0, "playbook_on_notify=1,runner_on_ok=2")]
    [InlineData("block_rescue.yml", "successful", 0, "runner_on_failed=1,runner_on_ok=2")]
    [InlineData("include.yml", "successful", 0, "playbook_on_include=1,runner_on_ok=4")]
    [InlineData("role.yml", "successful", 0, "playbook_on_notify=1,runner_on_ok=3")]
    [InlineData("unreachable.yml", "failed", 4, "runner_on_unreachable=1")]
    [InlineData("multi_host.yml", "successful", 0, "runner_on_ok=3,runner_on_start=3")]
    [InlineData("set_fact.yml", "successful", 0, "runner_on_ok=2")]
    [InlineData("warning.yml", "successful", 0, "warning=1,runner_on_ok=1")]
    public async Task Playbook_ProducesItsEventsStatusAndRc(string playbook, string status, int rc, string expectedCounts)
    {
        using var pdd = Fixtures.Copy(Fixtures.FixturePdd);
        var result = await Fixtures.RunAnvilAsync(pdd.Path, playbook);

        Assert.Equal(status, result.Status);
        Assert.Equal(rc, result.Rc);
        Assert.Equal(status, File.ReadAllText(Path.Combine(result.ArtifactDir, "status")));
        Assert.Equal(rc.ToString(), File.ReadAllText(Path.Combine(result.ArtifactDir, "rc")));

        var events = Fixtures.ReadEvents(result.ArtifactDir);
        var names = events.Select(e => e.GetProperty("event").GetString()!).ToList();
        Assert.Equal(EventNames.PlaybookOnStart, names[0]);
        Assert.Equal(EventNames.PlaybookOnStats, names[^1]);
        foreach (var pair in expectedCounts.Split(','))
        {
            var (name, count) = (pair.Split('=')[0], int.Parse(pair.Split('=')[1]));
            Assert.True(count == names.Count(n => n == name), $"{name}: expected {count}, got {names.Count(n => n == name)} in {string.Join(' ', names)}");
        }
        // Every task start is followed by exactly one runner_on_start per host that runs it.
        Assert.Equal(names.Count(n => n == EventNames.PlaybookOnTaskStart),
            names.Count(n => n == EventNames.RunnerOnStart) - (playbook == "multi_host.yml" ? 2 : 0));
        Fixtures.AssertStdoutMatchesEvents(result.ArtifactDir);
        Assert.Equal(events.Count, Directory.GetFiles(Path.Combine(result.ArtifactDir, "job_events")).Length);
        Assert.Empty(Directory.GetFiles(result.ArtifactDir, "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task Events_CarryTheContextAndTreeOfAnsibleRunner()
    {
        using var pdd = Fixtures.Copy(Fixtures.FixturePdd);
        var result = await Fixtures.RunAnvilAsync(pdd.Path, "ok.yml");
        var events = Fixtures.ReadEvents(result.ArtifactDir);
        var start = events[0];
        Assert.False(start.TryGetProperty("parent_uuid", out _));
        var playbookUuid = start.GetProperty("uuid").GetString();
        Assert.Equal(playbookUuid, Fixtures.Field(start, "playbook_uuid"));

        var play = events.Single(e => e.GetProperty("event").GetString() == EventNames.PlaybookOnPlayStart);
        Assert.Equal(playbookUuid, play.GetProperty("parent_uuid").GetString());
        var task = events.First(e => e.GetProperty("event").GetString() == EventNames.PlaybookOnTaskStart);
        Assert.Equal(play.GetProperty("uuid").GetString(), task.GetProperty("parent_uuid").GetString());

        var ok = events.Single(e => e.GetProperty("event").GetString() == EventNames.RunnerOnOk);
        Assert.Equal(task.GetProperty("uuid").GetString(), ok.GetProperty("parent_uuid").GetString());
        Assert.Equal("localhost", Fixtures.Field(ok, "host"));
        Assert.Equal("ansible.builtin.debug", Fixtures.Field(ok, "resolved_action"));
        Assert.Equal("anvil", ok.GetProperty("runner_ident").GetString());
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$", ok.GetProperty("created").GetString());
        Assert.True(ok.GetProperty("pid").GetInt32() > 0);
        var data = ok.GetProperty("event_data");
        foreach (var key in new[] { "play", "play_uuid", "play_pattern", "task", "task_uuid", "task_action", "task_args",
                     "task_path", "remote_addr", "res", "start", "end", "duration", "event_loop", "uuid" })
        {
            Assert.True(data.TryGetProperty(key, out _), $"event_data.{key} missing");
        }
        Assert.Contains("ok: [localhost]", ok.GetProperty("stdout").GetString());

        var stats = events[^1].GetProperty("event_data");
        Assert.Equal(1, stats.GetProperty("ok").GetProperty("localhost").GetInt32());
        Assert.Equal(1, result.Stats!.Ok["localhost"]);
    }

    [Fact]
    public async Task NoLog_SecretAppearsNowhere()
    {
        using var pdd = Fixtures.Copy(Fixtures.FixturePdd);
        var result = await Fixtures.RunAnvilAsync(pdd.Path, "no_log.yml");
        Assert.Equal("successful", result.Status);
        foreach (var file in Directory.EnumerateFiles(result.ArtifactDir, "*", SearchOption.AllDirectories))
        {
            Assert.DoesNotContain("s3cr3t-fixture", File.ReadAllText(file));
        }
        var censored = Fixtures.ReadEvents(result.ArtifactDir)
            .Where(e => e.GetProperty("event").GetString() == EventNames.RunnerOnOk)
            .Select(e => e.GetProperty("event_data").GetProperty("res").GetProperty("censored").GetString());
        Assert.All(censored, c => Assert.StartsWith("the output has been hidden", c));
    }

    [Fact]
    public async Task SetStats_ReachTheStatsEvent()
    {
        using var pdd = Fixtures.Copy(Fixtures.FixturePdd);
        var result = await Fixtures.RunAnvilAsync(pdd.Path, "set_stats.yml");
        var stats = Fixtures.ReadEvents(result.ArtifactDir)[^1].GetProperty("event_data").GetProperty("artifact_data");
        Assert.Equal(42, stats.GetProperty("fixture_stat").GetInt32());
    }

    [Fact]
    public async Task BigOutput_IsKeptWhole()
    {
        using var pdd = Fixtures.Copy(Fixtures.FixturePdd);
        var result = await Fixtures.RunAnvilAsync(pdd.Path, "bigoutput.yml");
        var ok = Fixtures.ReadEvents(result.ArtifactDir).Single(e => e.GetProperty("event").GetString() == EventNames.RunnerOnOk);
        Assert.True(ok.GetProperty("stdout").GetString()!.Length > 200_000);
        Assert.True(ok.GetProperty("event_data").GetProperty("res").GetProperty("msg").GetString()!.Length >= 204_800);
        Fixtures.AssertStdoutMatchesEvents(result.ArtifactDir);
    }

    [Fact]
    public async Task Demo_ExercisesEveryFeatureAndCachesFacts()
    {
        using var pdd = Fixtures.Copy(Fixtures.DemoPdd);
        var result = await Fixtures.RunAnvilAsync(pdd.Path, "site.yml");
        Assert.Equal("successful", result.Status);
        var names = Fixtures.ReadEvents(result.ArtifactDir).Select(e => e.GetProperty("event").GetString()).ToHashSet();
        foreach (var name in new[] { "runner_on_ok", "runner_on_failed", "runner_on_skipped", "runner_item_on_ok",
                     "runner_item_on_skipped", "playbook_on_notify", "playbook_on_stats" })
        {
            Assert.Contains(name, names);
        }
        Assert.Equal(1, result.Stats!.Rescued["localhost"]);
        Assert.Equal(1, result.Stats.Ignored["localhost"]);
        var facts = result.GetFactCache("localhost");
        Assert.NotNull(facts);
        Assert.True(facts!.ContainsKey("ansible_hostname") || facts.ContainsKey("ansible_facts") || facts.Count > 10);
        Fixtures.AssertStdoutMatchesEvents(result.ArtifactDir);
        var command = File.ReadAllText(Path.Combine(result.ArtifactDir, "command"));
        Assert.DoesNotContain("\"DEMO_GREETING\": \"hello\"", command);
    }
}

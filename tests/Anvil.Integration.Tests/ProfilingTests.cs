using System.Text.Json;
using Anvil.Events;
using Anvil.Runner;
using Anvil.Runner.Execution;

namespace Anvil.Integration.Tests;

/// <summary>Resource profiling in a cgroup v2: per-task files where the machine gives a writable cgroup, a clear
/// message and an unharmed run where it does not.</summary>
[Collection(RunsAlone.Name)]
[Trait("Category", "Integration")]
public class ProfilingTests
{
    private const string Play = """
        - hosts: localhost
          gather_facts: false
          tasks:
            - name: Burn some CPU
              command: python3 -c "sum(range(40000000))"
            - name: Sleep a moment
              command: sleep 1
        """;

    private static RunnerSettings Profiling => new()
    {
        ResourceProfiling = true,
        ResourceProfilingBaseCgroup = "anvil-tests",
        ResourceProfilingCpuPollInterval = TimeSpan.FromSeconds(0.1),
        ResourceProfilingMemoryPollInterval = TimeSpan.FromSeconds(0.1),
        ResourceProfilingPidPollInterval = TimeSpan.FromSeconds(0.1),
    };

    [Fact]
    public async Task WithAWritableCgroup_EachTaskGetsCpuMemoryAndPidFiles()
    {
        using var pdd = Fixtures.Copy(Fixtures.FixturePdd);
        pdd.File("project/work.yml", Play);
        var result = await Fixtures.RunAnvilAsync(pdd.Path, "work.yml", ident: "prof", configure: o => o with { Settings = Profiling });
        Assert.Equal(RunStatus.Successful, result.Status);
        var messages = Processes.RunnerMessages(result.ArtifactDir);
        // A machine without a writable cgroup v2 cannot show this behaviour: that is a failure that names what is
        // missing, never a pass (the other test covers the "no cgroup" path on purpose).
        var root = Cgroups.FindV2Root();
        Assert.True(root is not null && !messages.Any(m => m.StartsWith("Resource profiling is off", StringComparison.Ordinal)),
            "prerequisite missing: a writable cgroup v2 hierarchy (e.g. /sys/fs/cgroup/unified mounted read-write) for resource profiling; "
            + "the runner said: " + string.Join(" | ", messages));
        Assert.Empty(messages);
        var tasks = Fixtures.ReadEvents(result.ArtifactDir)
            .Where(e => e.GetProperty("event").GetString() == EventNames.PlaybookOnTaskStart)
            .Select(e => (Name: Fixtures.Field(e, "task")!, Uuid: Fixtures.Field(e, "task_uuid")!))
            .ToList();
        var dir = Path.Combine(pdd.Path, "profiling_data");
        for (var i = 0; i < tasks.Count; i++)
        {
            foreach (var feature in new[] { "cpu", "memory", "pids" })
            {
                var file = Path.Combine(dir, $"{i}-{tasks[i].Uuid}-{feature}.json");
                var text = File.ReadAllText(file);
                var records = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
                Assert.NotEmpty(records);
                Assert.EndsWith("\n", text);
                foreach (var record in records)
                {
                    Assert.Equal('\x1e', record[0]);
                    using var doc = JsonDocument.Parse(record[1..]);
                    var r = doc.RootElement;
                    Assert.Equal(["timestamp", "task_name", "task_uuid", "value"], r.EnumerateObject().Select(p => p.Name));
                    Assert.Equal(tasks[i].Name, r.GetProperty("task_name").GetString());
                    Assert.Equal(tasks[i].Uuid, r.GetProperty("task_uuid").GetString());
                    Assert.True(r.GetProperty("value").GetDouble() >= 0);
                }
            }
        }
        // The CPU task used CPU; the job's processes were counted.
        var cpu = File.ReadAllLines(Path.Combine(dir, $"0-{tasks[0].Uuid}-cpu.json"))
            .Select(l => JsonDocument.Parse(l[1..]).RootElement.GetProperty("value").GetDouble());
        Assert.Contains(cpu, v => v > 10);
        var pids = File.ReadAllLines(Path.Combine(dir, $"1-{tasks[1].Uuid}-pids.json"))
            .Select(l => JsonDocument.Parse(l[1..]).RootElement.GetProperty("value").GetInt32());
        Assert.All(pids, n => Assert.True(n >= 1));
        Assert.False(Directory.Exists(Path.Combine(root!, "anvil-tests", "prof")), "the job's cgroup is removed");
    }

    [Fact]
    public async Task WithoutAUsableCgroup_TheRunSaysWhyAndGoesOn()
    {
        using var pdd = Fixtures.Copy(Fixtures.FixturePdd);
        pdd.File("project/work.yml", Play);
        var notACgroup = pdd.File("not-a-cgroup", "a plain file where the hierarchy should be\n");
        var result = await Fixtures.RunAnvilAsync(pdd.Path, "work.yml", configure: o => o with
        {
            Settings = Profiling,
            CgroupRoot = notACgroup,
        });
        Assert.Equal(RunStatus.Successful, result.Status);
        var message = Assert.Single(Processes.RunnerMessages(result.ArtifactDir));
        Assert.StartsWith($"Resource profiling is off: cannot create the cgroup {notACgroup}/anvil-tests/anvil", message);
        Assert.EndsWith("The run goes on without profiling data.", message);
        Assert.False(Directory.Exists(Path.Combine(pdd.Path, "profiling_data")));
        Assert.Equal(2, result.Stats!.Ok["localhost"]);
    }
}

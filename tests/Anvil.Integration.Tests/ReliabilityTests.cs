using System.Diagnostics;
using Anvil.Events;
using Anvil.Runner;

namespace Anvil.Integration.Tests;

/// <summary>What must hold when things go wrong or get large: a killed Ansible, 100 MB of output, invalid UTF-8
/// and endless lines, and two runs of one project at once.</summary>
[Collection(RunsAlone.Name)]
[Trait("Category", "Integration")]
public class ReliabilityTests
{
    [Fact]
    public async Task KillDashNineOfAnsiblePlaybook_FailsWithRc_AndKeepsEveryEventReceivedBeforeIt()
    {
        using var pdd = Fixtures.Copy(Fixtures.FixturePdd);
        pdd.File("project/long.yml", """
            - hosts: localhost
              gather_facts: false
              tasks:
                - debug: {msg: one}
                - debug: {msg: two}
                - name: Wait for the kill
                  command: sleep 120
                - debug: {msg: never}
            """);
        var job = AnsibleRunner.Start(new RunnerOptions { PrivateDataDir = pdd.Path, Playbook = "long.yml", Ident = "k" });
        var beforeKill = new List<JobEvent>();
        int? ansible = null;
        await foreach (var e in job.Events())
        {
            beforeKill.Add(e);
            if (e.Event == EventNames.PlaybookOnStart)
            {
                ansible = e.Pid;
            }
            if (e.Event == EventNames.RunnerOnStart && e.Task == "Wait for the kill")
            {
                break;
            }
        }
        Assert.NotNull(ansible);
        await Processes.RunAsync("kill", "-9", ansible.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var result = await job.Completion;
        try
        {
            Assert.Equal(RunStatus.Failed, result.Status);
            Assert.Equal(137, result.Rc); // 128 + SIGKILL
            Assert.Equal("137", File.ReadAllText(Path.Combine(result.ArtifactDir, "rc")));
            Assert.Equal("failed", File.ReadAllText(Path.Combine(result.ArtifactDir, "status")));
            foreach (var e in beforeKill)
            {
                Assert.True(File.Exists(Path.Combine(result.JobEventsDir, $"{e.Counter}-{e.Uuid}.json")), $"event {e.Counter} ({e.Event}) kept");
            }
            Fixtures.AssertStdoutMatchesEvents(result.ArtifactDir);
        }
        finally
        {
            // The worker running the sleep outlives its parent; it is in the job's process group.
            await Processes.RunAsync("kill", "-9", "--", "-" + ansible.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    [Fact]
    public async Task HundredMegabytesOfTaskOutput_KeepTheRunnersMemoryBounded()
    {
        using var pdd = Fixtures.Copy(Fixtures.FixturePdd);
        pdd.File("project/big.yml", """
            - hosts: localhost
              gather_facts: false
              tasks:
                - name: A megabyte of output per item
                  debug:
                    msg: "{{ 'x' * 1048576 }}"
                  loop: "{{ range(100) | list }}"
            """);
        // The runner as its own process, so its peak resident set (VmHWM) is its own, not the test host's.
        var psi = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "anvil"),
            ["run", pdd.Path, "-p", "big.yml", "-q", "--no-record", "-i", "big"]);
        using var runner = Process.Start(psi)!;
        long peakKb = 0;
        // Samples the peak (VmHWM) while the runner lives: /proc forgets it once the process has gone.
        await Wait.UntilAsync(() =>
        {
            peakKb = Math.Max(peakKb, VmHwmKb(runner.Id) ?? 0);
            return runner.HasExited;
        }, TimeSpan.FromMinutes(10), "the runner finishes the big run");
        await runner.WaitForExitAsync();
        Assert.Equal(0, runner.ExitCode);
        var stdout = new FileInfo(Path.Combine(pdd.Path, "artifacts", "big", "stdout")).Length;
        Assert.True(stdout > 100L * 1024 * 1024, $"stdout artifact is {stdout} bytes");
        Assert.True(peakKb > 0);
        Assert.True(peakKb < 200 * 1024, $"the runner's peak resident memory was {peakKb / 1024} MB for {stdout / 1024 / 1024} MB of output");
    }

    [Fact]
    public async Task InvalidUtf8AndVeryLongLines_AreKept()
    {
        using var pdd = Fixtures.Copy(Fixtures.FixturePdd);
        const int longLine = 10_000_000; // more than the 4 MB an event may hold without a line end
        var result = await Fixtures.RunAnvilAsync(pdd.Path, "", configure: o => o with
        {
            Binary = "/bin/sh",
            Arguments = ["-c", $"printf 'caf\\351 au lait\\n'; head -c {longLine} /dev/zero | tr '\\0' y; printf '\\nafter the long line\\n'"],
        });
        Assert.Equal(RunStatus.Successful, result.Status);
        var stdout = result.Stdout;
        Assert.Contains("caf\uFFFD au lait\n", stdout); // the invalid byte is replaced, as ansible-runner decodes
        Assert.Equal(longLine, stdout.Count(c => c == 'y'));
        Assert.EndsWith("after the long line\n", stdout);
        Fixtures.AssertStdoutMatchesEvents(result.ArtifactDir);

        // The same through Ansible: one event whose text is a 5 MB line.
        pdd.File("project/wide.yml", """
            - hosts: localhost
              gather_facts: false
              tasks:
                - debug:
                    msg: "{{ 'w' * 5000000 }}"
            """);
        var wide = await Fixtures.RunAnvilAsync(pdd.Path, "wide.yml", ident: "wide");
        Assert.Equal(RunStatus.Successful, wide.Status);
        var ok = Fixtures.ReadEvents(wide.ArtifactDir).Single(e => e.GetProperty("event").GetString() == EventNames.RunnerOnOk);
        Assert.Equal(5_000_000, ok.GetProperty("stdout").GetString()!.Count(c => c == 'w'));
    }

    [Fact]
    public async Task TwoRunsOfOneProjectAtOnce_WithDirectoryIsolation_DoNotInterfere()
    {
        using var pdd = Fixtures.Copy(Fixtures.FixturePdd);
        using var isolationBase = new TempDir();
        pdd.File("project/marker.yml", """
            - hosts: localhost
              gather_facts: false
              tasks:
                - copy: {content: "{{ who }}", dest: "./marker.txt"}
                - command: sleep 2
                - command: cat marker.txt
                  register: marker
                - assert:
                    that: marker.stdout == who
            """);
        Task<RunResult> Run(string who) => Fixtures.RunAnvilAsync(pdd.Path, "marker.yml", ident: who, configure: o => o with
        {
            ExtraVars = new() { ["who"] = who },
            Settings = new RunnerSettings { DirectoryIsolationBasePath = isolationBase.Path },
        });
        var results = await Task.WhenAll(Run("first"), Run("second"));
        Assert.All(results, r => Assert.Equal(RunStatus.Successful, r.Status));
        Assert.False(File.Exists(Path.Combine(pdd.Path, "project", "marker.txt")));
        Assert.Empty(Directory.EnumerateFileSystemEntries(isolationBase.Path));
    }

    private static long? VmHwmKb(int pid)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
            return line is null ? null : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}

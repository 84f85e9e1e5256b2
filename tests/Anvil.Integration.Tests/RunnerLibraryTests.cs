using System.Diagnostics;
using Anvil.Events;
using Anvil.Runner;

namespace Anvil.Integration.Tests;

/// <summary>The library interface: streamed events, handlers, cancellation and timeouts, on real runs.</summary>
[Trait("Category", "Integration")]
public class RunnerLibraryTests
{
    [Fact]
    public async Task Events_StreamWhileTheRunGoesOn_AndMatchTheFiles()
    {
        using var pdd = Fixtures.Copy(Fixtures.FixturePdd);
        var job = AnsibleRunner.Start(new RunnerOptions { PrivateDataDir = pdd.Path, Playbook = "multi_host.yml", Ident = "s" });
        var seen = new List<(long Counter, string Event, string Status)>();
        await foreach (var e in job.Events())
        {
            seen.Add((e.Counter, e.Event, job.Status));
        }
        var result = await job.Completion;
        Assert.Equal("successful", result.Status);
        Assert.Contains(seen, s => s.Status == RunStatus.Running); // delivered before the run ended
        var onDisk = await result.Events().Select(e => (e.Counter, e.Event)).ToListAsync();
        Assert.Equal(onDisk, seen.Select(s => (s.Counter, s.Event)).ToList());
        var host2 = await result.HostEvents("host2").Select(e => e.Event).ToListAsync();
        Assert.Equal([EventNames.RunnerOnStart, EventNames.RunnerOnOk], host2);
    }

    [Fact]
    public async Task EventHandler_ReturningFalse_DropsTheEventFile()
    {
        using var pdd = Fixtures.Copy(Fixtures.FixturePdd);
        var result = await Fixtures.RunAnvilAsync(pdd.Path, "ok.yml", configure: o => o with
        {
            EventHandler = (e, _) => ValueTask.FromResult(e.Event != EventNames.RunnerOnStart),
        });
        var names = Fixtures.ReadEvents(result.ArtifactDir).Select(e => e.GetProperty("event").GetString()).ToList();
        Assert.DoesNotContain(EventNames.RunnerOnStart, names);
        Assert.Contains(EventNames.RunnerOnOk, names);
        Assert.Equal(6, result.EventCount);
    }

    [Fact]
    public async Task SlowHandler_DoesNotStallAnsible()
    {
        // bigoutput writes far more than a pipe holds: if the handler blocked the reader, Ansible could not exit.
        using var pdd = Fixtures.Copy(Fixtures.FixturePdd);
        var ansibleExitedWhileHandlerWaited = false;
        var result = await Fixtures.RunAnvilAsync(pdd.Path, "bigoutput.yml", configure: o => o with
        {
            EventHandler = async (e, ct) =>
            {
                if (e.Event == EventNames.PlaybookOnStart)
                {
                    try
                    {
                        await Wait.UntilAsync(() => !Directory.Exists($"/proc/{e.Pid}"), TimeSpan.FromSeconds(90), "ansible-playbook exits", ct);
                    }
                    catch (TimeoutException)
                    {
                    }
                    ansibleExitedWhileHandlerWaited = !Directory.Exists($"/proc/{e.Pid}");
                }
                return true;
            },
        });
        Assert.True(ansibleExitedWhileHandlerWaited);
        Assert.Equal("successful", result.Status);
        Fixtures.AssertStdoutMatchesEvents(result.ArtifactDir);
    }

    [Fact]
    public async Task StatusAndFinishedHandlers_SeeTheWholeLifecycle()
    {
        using var pdd = Fixtures.Copy(Fixtures.FixturePdd);
        var statuses = new List<string>();
        RunResult? finished = null;
        IReadOnlyList<string>? command = null;
        var result = await Fixtures.RunAnvilAsync(pdd.Path, "failed.yml", configure: o => o with
        {
            StatusHandler = (s, _) =>
            {
                statuses.Add(s.Status);
                command ??= s.Command;
                return ValueTask.CompletedTask;
            },
            FinishedHandler = (r, _) =>
            {
                finished = r;
                return ValueTask.CompletedTask;
            },
        });
        Assert.Equal([RunStatus.Starting, RunStatus.Running, RunStatus.Failed], statuses);
        Assert.Equal("ansible-playbook", command![0]);
        Assert.Same(result, finished);
        Assert.Equal(1, result.Stats!.Failures["localhost"]);
    }

    [Fact]
    public async Task Cancel_EndsTheWholeJobQuickly()
    {
        using var pdd = Fixtures.Copy(Fixtures.FixturePdd);
        var job = AnsibleRunner.Start(new RunnerOptions { PrivateDataDir = pdd.Path, Playbook = "sleep.yml", Ident = "c" });
        int? pid = null;
        await foreach (var e in job.Events())
        {
            if (e.Event == EventNames.RunnerOnStart)
            {
                pid = e.Pid;
                break;
            }
        }
        // Cancel once the task's own process (the module's "sleep 30") runs, so the whole tree must go.
        await Wait.UntilAsync(() => ProcessesWithArgument("sleep 30").Any(p => DescendsFrom(p, pid!.Value)), TimeSpan.FromMinutes(1),
            "the sleep module's process starts below ansible-playbook");
        var sw = Stopwatch.StartNew();
        job.Cancel();
        var result = await job.Completion;
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(8), $"cancel took {sw.Elapsed}");
        Assert.Equal(RunStatus.Canceled, result.Status);
        Assert.Equal(254, result.Rc);
        Assert.Equal("canceled", File.ReadAllText(Path.Combine(result.ArtifactDir, "status")));
        Assert.False(Directory.Exists($"/proc/{pid}"), "ansible-playbook survived the cancel");
        Assert.DoesNotContain(ProcessesWithArgument(pdd.Path), p => p != Environment.ProcessId);
    }

    [Fact]
    public async Task JobTimeout_SaysWhichLimitFired()
    {
        using var pdd = Fixtures.Copy(Fixtures.FixturePdd);
        pdd.File("env/settings", "job_timeout: 2\n");
        var sw = Stopwatch.StartNew();
        var result = await Fixtures.RunAnvilAsync(pdd.Path, "sleep.yml");
        Assert.Equal(RunStatus.Timeout, result.Status);
        Assert.Equal(254, result.Rc);
        Assert.Equal("job_timeout", result.TimeoutReason);
        Assert.Equal("job_timeout", File.ReadAllText(Path.Combine(result.ArtifactDir, "timeout_reason")));
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(15), $"took {sw.Elapsed}");
    }

    [Fact]
    public async Task NamedPipeExtravars_ReachThePlay()
    {
        using var pdd = Fixtures.Copy(Fixtures.FixturePdd);
        pdd.File("project/echo.yml", "- hosts: localhost\n  gather_facts: false\n  tasks:\n    - debug:\n        msg: \"value={{ piped_value }}\"\n");
        var fifo = Path.Combine(pdd.Path, "env", "extravars");
        Directory.CreateDirectory(Path.GetDirectoryName(fifo)!);
        using (var mk = Process.Start("mkfifo", [fifo])!)
        {
            await mk.WaitForExitAsync();
        }
        var writer = Task.Run(() => File.WriteAllText(fifo, "piped_value: through-a-pipe\n"));
        var result = await Fixtures.RunAnvilAsync(pdd.Path, "echo.yml");
        await writer;
        Assert.Equal("successful", result.Status);
        Assert.Contains("value=through-a-pipe", result.Stdout);
    }

    [Fact]
    public async Task MissingExecutable_Fails127WithOneEvent()
    {
        using var pdd = Fixtures.Copy(Fixtures.FixturePdd);
        var result = await Fixtures.RunAnvilAsync(pdd.Path, "ok.yml", configure: o => o with { Binary = "no-such-ansible-playbook" });
        Assert.Equal(RunStatus.Failed, result.Status);
        Assert.Equal(127, result.Rc);
        var ev = Assert.Single(Fixtures.ReadEvents(result.ArtifactDir));
        Assert.Contains("The command was not found or was not executable: no-such-ansible-playbook", ev.GetProperty("stdout").GetString());
    }

    [Fact]
    public async Task JsonMode_EchoesOneEventPerLine()
    {
        using var pdd = Fixtures.Copy(Fixtures.FixturePdd);
        var output = new StringWriter();
        var result = await Fixtures.RunAnvilAsync(pdd.Path, "ok.yml", configure: o => o with { JsonMode = true, Output = output });
        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(result.EventCount, lines.Length);
        Assert.All(lines, l => Assert.StartsWith("{\"uuid\": ", l));
    }

    /// <summary>Whether <paramref name="ancestor"/> is among the parents of <paramref name="pid"/> (from /proc/PID/stat).</summary>
    private static bool DescendsFrom(int pid, int ancestor)
    {
        for (var current = pid; current > 1;)
        {
            string stat;
            try
            {
                stat = File.ReadAllText($"/proc/{current}/stat");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return false;
            }
            // "PID (COMM) STATE PPID …": COMM may hold spaces and parentheses, so read after the last ')'.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            current = int.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture);
            if (current == ancestor)
            {
                return true;
            }
        }
        return false;
    }

    private static IEnumerable<int> ProcessesWithArgument(string text)
    {
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
            {
                continue;
            }
            string cmdline;
            try
            {
                cmdline = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ');
            }
            catch (IOException)
            {
                continue;
            }
            catch (UnauthorizedAccessException)
            {
                continue;
            }
            if (cmdline.Contains(text, StringComparison.Ordinal))
            {
                yield return pid;
            }
        }
    }
}

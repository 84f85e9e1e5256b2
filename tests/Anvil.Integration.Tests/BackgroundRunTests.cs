using System.Diagnostics;

namespace Anvil.Integration.Tests;

/// <summary><c>anvil start</c>, <c>is-alive</c> and <c>stop</c> as separate processes, as a person uses them.</summary>
[Trait("Category", "Integration")]
public class BackgroundRunTests
{
    [Fact]
    public async Task StartIsAliveStop_EndsTheWholeJob_AndWritesCanceled()
    {
        using var pdd = Fixtures.Copy(Fixtures.FixturePdd);
        using var tmp = new TempDir(); // where the killed module leaves its payload directory
        var artifacts = Path.Combine(pdd.Path, "artifacts", "bg");

        var start = await Anvil(tmp.Path, "start", pdd.Path, "-p", "sleep.yml", "-i", "bg", "--no-record");
        Assert.Equal(0, start.Code);
        Assert.Equal($"Started in the background (pid {RunnerPid(pdd.Path)}); artifacts in {artifacts}", start.Out.Trim());
        var runner = RunnerPid(pdd.Path);

        // The sleep task has started: its module process is part of the job.
        await WaitUntil(() => EventNames(artifacts).Contains("runner_on_start"));
        await WaitUntil(() => JobProcesses(artifacts).Count >= 2);
        Assert.Equal(0, (await Anvil(tmp.Path, "is-alive", pdd.Path)).Code);

        var stop = await Anvil(tmp.Path, "stop", pdd.Path);
        Assert.Equal(0, stop.Code);
        Assert.Equal($"Stopped the run (pid {runner}): status canceled", stop.Out.Trim());

        Assert.Equal(1, (await Anvil(tmp.Path, "is-alive", pdd.Path)).Code);
        Assert.Empty(JobProcesses(artifacts));
        Assert.False(IsRunning(runner), "the background runner survived");
        Assert.False(File.Exists(Path.Combine(pdd.Path, "pid")));
        Assert.Equal("canceled", File.ReadAllText(Path.Combine(artifacts, "status")));
        Assert.Equal("254", File.ReadAllText(Path.Combine(artifacts, "rc")));
        Assert.DoesNotContain("playbook_on_stats", EventNames(artifacts));
    }

    [Fact]
    public async Task StopAndIsAlive_WithTheRunOptions_AsScriptsForAnsibleRunnerCallThem()
    {
        using var pdd = Fixtures.Copy(Fixtures.FixturePdd);
        using var tmp = new TempDir();
        var artifacts = Path.Combine(pdd.Path, "artifacts", "bg2");
        Assert.Equal(0, (await Anvil(tmp.Path, "start", pdd.Path, "-p", "sleep.yml", "-i", "bg2", "--no-record")).Code);
        await WaitUntil(() => EventNames(artifacts).Contains("runner_on_start"));

        Assert.Equal(0, (await Anvil(tmp.Path, "is-alive", pdd.Path, "-p", "sleep.yml", "-i", "bg2")).Code);
        Assert.Equal(1, (await Anvil(tmp.Path, "is-alive", pdd.Path, "-p", "sleep.yml", "-i", "other")).Code);
        Assert.Equal(1, (await Anvil(tmp.Path, "stop", pdd.Path, "-i", "other")).Code);
        Assert.Equal(0, (await Anvil(tmp.Path, "is-alive", pdd.Path, "--ident", "bg2")).Code);

        var stop = await Anvil(tmp.Path, "stop", pdd.Path, "-p", "sleep.yml", "-i", "bg2", "--artifact-dir", Path.Combine(pdd.Path, "artifacts"));
        Assert.Equal(0, stop.Code);
        Assert.Equal(1, (await Anvil(tmp.Path, "is-alive", pdd.Path, "-i", "bg2")).Code);
        Assert.Equal("canceled", File.ReadAllText(Path.Combine(artifacts, "status")));
    }

    [Fact]
    public async Task CtrlC_OnAForegroundRun_EndsTheWholeJob_AndWritesCanceled()
    {
        using var pdd = Fixtures.Copy(Fixtures.FixturePdd);
        using var tmp = new TempDir();
        var artifacts = Path.Combine(pdd.Path, "artifacts", "fg");
        var psi = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "anvil"),
            ["run", pdd.Path, "-p", "sleep.yml", "-i", "fg", "--no-record"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        psi.Environment["TMPDIR"] = tmp.Path;
        using var run = Process.Start(psi)!;
        var stdout = run.StandardOutput.ReadToEndAsync();
        var stderr = run.StandardError.ReadToEndAsync();

        await WaitUntil(() => EventNames(artifacts).Contains("runner_on_start"));
        await WaitUntil(() => JobProcesses(artifacts).Count >= 2);
        // What a terminal sends on Ctrl-C, to the runner alone (a terminal would signal the whole foreground group).
        Assert.Equal(0, kill(run.Id, 2));
        await run.WaitForExitAsync();
        _ = await stdout;
        _ = await stderr;

        Assert.Equal(254, run.ExitCode);
        Assert.Empty(JobProcesses(artifacts));
        Assert.Equal("canceled", File.ReadAllText(Path.Combine(artifacts, "status")));
        Assert.Equal("254", File.ReadAllText(Path.Combine(artifacts, "rc")));
    }

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);

    [Fact]
    public async Task Start_BadInput_ExitsOneWithTheMessage_AndLeavesNoPidFile()
    {
        using var pdd = Fixtures.Copy(Fixtures.FixturePdd);
        var (code, _, err) = await Anvil(pdd.Path, "start", pdd.Path, "-p", "missing.yml", "--no-record");
        Assert.Equal(1, code);
        Assert.Equal($"anvil: error: {Path.Combine(pdd.Path, "project", "missing.yml")}: playbook not found", err.Trim());
        Assert.False(File.Exists(Path.Combine(pdd.Path, "pid")));
        Assert.False(Directory.Exists(Path.Combine(pdd.Path, "artifacts")));
    }

    [Fact]
    public async Task Start_AShortRun_FinishesOnItsOwn_AndIsThenNotAlive()
    {
        using var pdd = Fixtures.Copy(Fixtures.FixturePdd);
        Assert.Equal(0, (await Anvil(pdd.Path, "start", pdd.Path, "-p", "ok.yml", "-i", "short", "--no-record")).Code);
        var status = Path.Combine(pdd.Path, "artifacts", "short", "status");
        await WaitUntil(() => File.Exists(status) && !File.Exists(Path.Combine(pdd.Path, "pid")));
        Assert.Equal("successful", File.ReadAllText(status));
        Assert.Equal(1, (await Anvil(pdd.Path, "is-alive", pdd.Path)).Code);
        Assert.Equal(1, (await Anvil(pdd.Path, "stop", pdd.Path)).Code);
    }

    private static async Task<(int Code, string Out, string Err)> Anvil(string tmp, params string[] args)
    {
        var psi = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "anvil"), args)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        psi.Environment["TMPDIR"] = tmp;
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        return (p.ExitCode, await stdout, await stderr);
    }

    private static int RunnerPid(string pdd) => int.Parse(File.ReadAllLines(Path.Combine(pdd, "pid"))[0]);

    private static List<string> EventNames(string artifacts) =>
        Directory.Exists(Path.Combine(artifacts, "job_events"))
            ? Fixtures.ReadEvents(artifacts).Select(e => e.GetProperty("event").GetString()!).ToList()
            : [];

    /// <summary>Live processes of the job: every one carries the run's artifact dir in its environment.</summary>
    private static List<int> JobProcesses(string artifacts)
    {
        var marker = "AWX_ISOLATED_DATA_DIR=" + artifacts + "\0";
        var found = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
            {
                continue;
            }
            try
            {
                if (File.ReadAllText(Path.Combine(dir, "environ")).Contains(marker, StringComparison.Ordinal) && IsRunning(pid))
                {
                    found.Add(pid);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
            }
        }
        return found;
    }

    /// <summary>Alive and not a zombie (a zombie has ended; only its exit status is left for its parent).</summary>
    private static bool IsRunning(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)] is not ('Z' or 'X');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    // A bound only so a broken run fails instead of hanging; nothing is asserted about the time.
    private static Task WaitUntil(Func<bool> condition) =>
        Wait.UntilAsync(condition, TimeSpan.FromMinutes(2), "the run did not get there");
}

using System.Diagnostics;
using Anvil.Runner.Inputs;

namespace Anvil.Runner.Tests;

public class BackgroundRunTests
{
    [Fact]
    public void Claim_WritesThePidFile_RefusesASecondOwner_AndRemovesItOnDispose()
    {
        using var pdd = new TempDir();
        var pidFile = BackgroundRun.PidFile(pdd.Path);
        using (BackgroundRun.Claim(pdd.Path))
        {
            var lines = File.ReadAllLines(pidFile);
            Assert.Equal(Environment.ProcessId.ToString(), lines[0]);
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(pidFile));
            Assert.True(BackgroundRun.IsAlive(pdd.Path));
            Assert.Equal(Environment.ProcessId, BackgroundRun.LivePid(pdd.Path));
            var e = Assert.Throws<RunnerInputException>(() => BackgroundRun.Claim(pdd.Path));
            Assert.Contains($"already going (pid {Environment.ProcessId})", e.Message);
        }
        Assert.False(File.Exists(pidFile));
        Assert.False(BackgroundRun.IsAlive(pdd.Path));
    }

    [Fact]
    public async Task StalePidFile_IsNotAlive_AndIsReplacedByTheNextClaim()
    {
        using var pdd = new TempDir();
        using var gone = Process.Start("true")!;
        await gone.WaitForExitAsync();
        // Its pid, or our own pid with another start time: neither is the run that wrote the file.
        foreach (var content in new[] { $"{gone.Id}\n", $"{Environment.ProcessId}\n1\n" })
        {
            File.WriteAllText(BackgroundRun.PidFile(pdd.Path), content);
            Assert.False(BackgroundRun.IsAlive(pdd.Path));
        }
        using (BackgroundRun.Claim(pdd.Path))
        {
            Assert.True(BackgroundRun.IsAlive(pdd.Path));
        }
        File.WriteAllText(BackgroundRun.PidFile(pdd.Path), $"{gone.Id}\n");
        Assert.Equal(StopOutcome.NotRunning, await BackgroundRun.StopAsync(pdd.Path, TimeSpan.FromSeconds(1)));
        Assert.False(File.Exists(BackgroundRun.PidFile(pdd.Path)));
    }

    [Fact]
    public async Task Spawn_Detaches_AndReportsTheExitCode()
    {
        using var dir = new TempDir();
        var log = Path.Combine(dir.Path, "daemon.log");
        var pid = BackgroundRun.Spawn("/bin/sh", ["sh", "-c", "echo out; echo err >&2; pwd >&2; exit 3"], dir.Path, log);
        int? rc = null;
        await Wait.UntilAsync(() => (rc = BackgroundRun.TryGetExitCode(pid)) is not null, TimeSpan.FromMinutes(1), "the spawned process reports its exit code");
        Assert.Equal(3, rc);
        // stdout goes nowhere, stderr to the log, and the working directory is the one asked for.
        Assert.Equal($"err\n{dir.Path}\n", File.ReadAllText(log));
    }
}

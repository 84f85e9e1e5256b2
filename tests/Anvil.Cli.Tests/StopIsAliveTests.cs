using Anvil.Cli;

namespace Anvil.Cli.Tests;

/// <summary><c>anvil stop</c> and <c>anvil is-alive</c> take the options of <c>run</c>, as ansible-runner's do, so
/// that scripts written for it work unchanged; <c>-i</c> names the run they mean.</summary>
public class StopIsAliveTests
{
    private static async Task<(int Code, string Out, string Err)> Anvil(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await AnvilCommandLine.InvokeAsync(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    // What scripts written for ansible-runner pass to stop and is-alive (the options of the run they started).
    public static TheoryData<string[]> RunnerOptions => new()
    {
        new[] { "-i", "job1" },
        new[] { "--ident", "job1", "-p", "site.yml" },
        new[] { "-i", "job1", "-p", "site.yml", "--artifact-dir", "/tmp/x", "--project-dir", "/tmp/p", "-j", "-q", "-v" },
        new[] { "-m", "ping", "--hosts", "all", "-a", "x=1", "--limit", "h", "--forks", "3", "--rotate-artifacts", "2" },
        new[] { "-r", "myrole", "--role-vars", "a=1", "--role-skip-facts", "--roles-path", "/r", "--cmdline", "-e x=1" },
        new[] { "--inventory", "hosts", "--omit-event-data", "--only-failed-event-data", "-b", "ansible-playbook" },
        new[] { "--container-image", "img", "--container-volume-mount", "/a:/b", "--container-option=--network=none" },
    };

    [Theory]
    [MemberData(nameof(RunnerOptions))]
    public async Task RunOptions_AreAccepted(string[] options)
    {
        using var pdd = new TempDir();
        var pid = Path.Combine(pdd.Path, "pid");
        Assert.Equal((1, "", ""), await Anvil(["is-alive", pdd.Path, .. options]));
        var (code, _, err) = await Anvil(["stop", pdd.Path, .. options]);
        Assert.Equal(1, code);
        Assert.Equal($"anvil: error: {pid}: no run is going from this private data dir", err.Trim());
    }

    [Fact]
    public async Task Help_ShowsIdentAndTheAcceptedOptions()
    {
        var (code, output, _) = await Anvil("stop", "--help");
        Assert.Equal(0, code);
        Assert.Contains("-i, --ident", output);
        Assert.Contains("Accepted as ansible-runner accepts them, and ignored", output);
        Assert.Contains("--playbook", output);
    }

    [Fact]
    public async Task Ident_SaysWhichRunIsMeant()
    {
        // A pid file for a live process (this one) whose run is 'job1', as 'anvil start -i job1' writes it.
        using var pdd = new TempDir();
        var stat = File.ReadAllText("/proc/self/stat");
        var startTime = stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[19];
        File.WriteAllText(Path.Combine(pdd.Path, "pid"), $"{Environment.ProcessId}\n{startTime}\njob1\n");

        Assert.Equal(0, (await Anvil("is-alive", pdd.Path)).Code);
        Assert.Equal(0, (await Anvil("is-alive", pdd.Path, "-i", "job1", "-p", "site.yml")).Code);
        Assert.Equal(1, (await Anvil("is-alive", pdd.Path, "-i", "job2")).Code);

        // Another ident is refused before anything is signalled (the "run" here is the test process itself).
        var (code, _, err) = await Anvil("stop", pdd.Path, "-i", "job2", "-p", "site.yml");
        Assert.Equal(1, code);
        Assert.Equal($"anvil: error: {Path.Combine(pdd.Path, "pid")}: the run going from this private data dir is 'job1', not 'job2'; nothing was stopped",
            err.Trim());
        Assert.True(File.Exists(Path.Combine(pdd.Path, "pid")));
    }
}

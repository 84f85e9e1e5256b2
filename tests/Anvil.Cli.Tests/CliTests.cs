using Anvil.Cli;

namespace Anvil.Cli.Tests;

public class CliTests
{
    private static async Task<(int Code, string Out, string Err)> Anvil(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await AnvilCommandLine.InvokeAsync(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    private static TempDir Fixture() => new(RepoPaths.FixturePdd);

    [Fact]
    public async Task RunHelp_ListsTheOptionsInGroups()
    {
        var (code, output, _) = await Anvil("run", "--help");
        Assert.Equal(0, code);
        var groups = new[] { "What to run:", "Runner options:", "Ansible options:" };
        var positions = groups.Select(g => output.IndexOf(g, StringComparison.Ordinal)).ToList();
        Assert.All(positions, p => Assert.True(p >= 0));
        Assert.Equal(positions.Order(), positions);
        foreach (var option in new[] { "-p, --playbook", "-i, --ident", "--limit", "--forks", "-j, --json", "-q, --quiet",
                     "--cmdline", "--inventory", "--artifact-dir", "--project-dir", "--rotate-artifacts", "-v " })
        {
            Assert.Contains(option, output);
        }
    }

    [Fact]
    public async Task UnknownOption_ExitsTwoWithOneLine()
    {
        var (code, _, err) = await Anvil("run", "/tmp", "-p", "x.yml", "--no-such-option");
        Assert.Equal(2, code);
        Assert.Contains("--no-such-option", err);
    }

    [Fact]
    public async Task MissingPrivateDataDir_ExitsOneNamingIt()
    {
        var (code, _, err) = await Anvil("run", "/nonexistent/anvil-pdd", "-p", "site.yml");
        Assert.Equal(1, code);
        Assert.Equal("anvil: error: /nonexistent/anvil-pdd: private data dir not found", err.Trim());
    }

    [Fact]
    public async Task MissingPlaybook_ExitsOneNamingIt()
    {
        using var pdd = Fixture();
        var (code, _, err) = await Anvil("run", pdd.Path, "-p", "nope.yml");
        Assert.Equal(1, code);
        Assert.Contains("nope.yml: playbook not found", err);
        Assert.False(Directory.Exists(Path.Combine(pdd.Path, "artifacts")));
    }

    [Fact]
    public async Task MalformedExtravars_ExitsOneNamingFileAndLine_AndWritesNoArtifacts()
    {
        using var pdd = Fixture();
        pdd.File("env/extravars", "good: 1\nbad: {unclosed\n");
        var (code, _, err) = await Anvil("run", pdd.Path, "-p", "ok.yml");
        Assert.Equal(1, code);
        Assert.Matches(@"^anvil: error: .*/env/extravars:\d+(:\d+)?: not valid YAML or JSON", err.Trim());
        Assert.Single(err.Trim().Split('\n'));
        Assert.False(Directory.Exists(Path.Combine(pdd.Path, "artifacts")));
    }

    [Fact]
    public async Task Run_ExitCodeIsAnsibles_AndOutputIsTheConsoleText()
    {
        using var pdd = Fixture();
        var (code, output, _) = await Anvil("run", pdd.Path, "-p", "failed.yml", "-i", "f1");
        Assert.Equal(2, code);
        Assert.Contains("PLAY RECAP", output);
        Assert.DoesNotContain("\u001b[K", output);
        Assert.Equal(File.ReadAllText(Path.Combine(pdd.Path, "artifacts", "f1", "stdout")), output);
    }

    [Fact]
    public async Task Run_QuietPrintsNothing_JsonPrintsEvents_VerbosityReachesAnsible()
    {
        using var pdd = Fixture();
        var quiet = await Anvil("run", pdd.Path, "-p", "ok.yml", "-q", "-i", "q1");
        Assert.Equal(0, quiet.Code);
        Assert.Equal("", quiet.Out);

        var json = await Anvil("run", pdd.Path, "-p", "ok.yml", "-j", "-vv", "-i", "j1", "--limit", "localhost", "--forks", "2");
        Assert.Equal(0, json.Code);
        var lines = json.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.All(lines, l => Assert.StartsWith("{", l));
        var command = File.ReadAllText(Path.Combine(pdd.Path, "artifacts", "j1", "command"));
        Assert.Contains("\"--limit\", \"localhost\", \"-vv\", \"--forks\", \"2\", \"ok.yml\"", command);
    }

    [Fact]
    public async Task Run_RotateArtifacts_KeepsTheNewest()
    {
        using var pdd = Fixture();
        foreach (var ident in new[] { "r1", "r2", "r3" })
        {
            Assert.Equal(0, (await Anvil("run", pdd.Path, "-p", "ok.yml", "-q", "-i", ident, "--rotate-artifacts", "2")).Code);
            await Task.Delay(20);
        }
        Assert.Equal(["r2", "r3"], Directory.EnumerateDirectories(Path.Combine(pdd.Path, "artifacts")).Select(Path.GetFileName).Order());
    }

    [Fact]
    public async Task Run_ArtifactDirAndCmdlineOptions_AreHonoured()
    {
        using var pdd = Fixture();
        var artifacts = Path.Combine(pdd.Path, "elsewhere");
        var (code, _, _) = await Anvil("run", pdd.Path, "-p", "sleep.yml", "-q", "-i", "a1", "--artifact-dir", artifacts,
            "--cmdline", "-e sleep_seconds=0");
        Assert.Equal(0, code);
        Assert.Equal("successful", File.ReadAllText(Path.Combine(artifacts, "a1", "status")));
    }
}

namespace Anvil.Integration.Tests;

/// <summary>A private data dir without <c>project/</c>, the playbook beside <c>env/</c> and <c>inventory/</c> (a
/// layout of ansible-runner's own test fixtures): ansible-runner runs it from the private data dir, and so must
/// Anvil.</summary>
[Trait("Category", "Integration")]
public class NoProjectDirTests
{
    private const string Playbook = """
        - hosts: localhost
          gather_facts: false
          tasks:
            - name: where
              ansible.builtin.debug:
                msg: "cwd={{ lookup('pipe', 'pwd') }} playbook_dir={{ playbook_dir }} data={{ lookup('file', 'data.txt') }}"

        """;

    private static TempDir Layout()
    {
        var pdd = new TempDir();
        pdd.File("inventory/hosts", "localhost ansible_connection=local ansible_python_interpreter=/usr/bin/python3\n");
        pdd.File("env/envvars", "GREETING: hello\n");
        pdd.File("play.yml", Playbook);
        pdd.File("data.txt", "beside the playbook");
        return pdd;
    }

    [Fact]
    public async Task PlaybookBesideEnv_RunsFromThePrivateDataDir_AsUnderAnsibleRunner()
    {
        using var refPdd = Layout();
        using var anvilPdd = Layout();
        var refTask = Fixtures.RunReferenceAsync(refPdd.Path, "play.yml");
        var anvil = await Fixtures.RunAnvilAsync(anvilPdd.Path, "play.yml");
        var refDir = await refTask;

        Assert.Equal("successful", File.ReadAllText(Path.Combine(refDir, "status")));
        Assert.Equal("0", File.ReadAllText(Path.Combine(refDir, "rc")));
        Assert.Equal("successful", File.ReadAllText(Path.Combine(anvil.ArtifactDir, "status")));
        Assert.Equal("0", File.ReadAllText(Path.Combine(anvil.ArtifactDir, "rc")));

        var expected = Message(refDir).Replace(refPdd.Path, "PDD", StringComparison.Ordinal);
        var actual = Message(anvil.ArtifactDir).Replace(anvilPdd.Path, "PDD", StringComparison.Ordinal);
        Assert.Equal("cwd=PDD playbook_dir=PDD data=beside the playbook", expected);
        Assert.Equal(expected, actual);
    }

    [Fact]
    public async Task MissingPlaybook_WithoutProjectDir_SaysWhereItLooked()
    {
        using var pdd = Layout();
        var e = await Assert.ThrowsAsync<Anvil.Runner.Inputs.RunnerInputException>(() => Fixtures.RunAnvilAsync(pdd.Path, "nope.yml"));
        Assert.StartsWith($"{Path.Combine(pdd.Path, "nope.yml")}: playbook not found (there is no project directory", e.Message);
    }

    [Fact]
    public async Task ProjectDirGivenByName_MustExist()
    {
        using var pdd = Layout();
        var missing = Path.Combine(pdd.Path, "typo");
        var e = await Assert.ThrowsAsync<Anvil.Runner.Inputs.RunnerInputException>(() =>
            Fixtures.RunAnvilAsync(pdd.Path, "play.yml", configure: o => o with { ProjectDir = missing }));
        Assert.Equal($"{missing}: project directory not found (--project-dir)", e.Message);
    }

    private static string Message(string artifactDir) =>
        Fixtures.ReadEvents(artifactDir)
            .Single(e => e.GetProperty("event").GetString() == "runner_on_ok")
            .GetProperty("event_data").GetProperty("res").GetProperty("msg").GetString()!;
}

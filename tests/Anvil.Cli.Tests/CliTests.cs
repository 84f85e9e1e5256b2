using System.Text.Json;
using Anvil.Cli;

namespace Anvil.Cli.Tests;

[Trait("Category", "Integration")]
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
    public async Task RootHelp_NamesTheThreeJobsAndEveryCommand()
    {
        var (code, output, _) = await Anvil("--help");
        Assert.Equal(0, code);
        var description = output[..output.IndexOf("Usage:", StringComparison.Ordinal)];
        foreach (var job in new[] { "Run ", "Record ", "Package " })
        {
            Assert.Contains(job, description);
        }
        // Every command is named in the overview, so none is left out when one is added.
        var words = System.Text.RegularExpressions.Regex.Split(description, "[^a-z-]+").ToHashSet(StringComparer.Ordinal);
        foreach (var command in AnvilCommandLine.Build().Subcommands)
        {
            Assert.Contains(command.Name, words);
        }
    }

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
            // Rotation keeps the newest by modification time: the next run must start at a later time than this one ended.
            var written = Directory.GetLastWriteTimeUtc(Path.Combine(pdd.Path, "artifacts", ident));
            await Wait.UntilAsync(() => DateTime.UtcNow > written, TimeSpan.FromSeconds(10), "the clock passes the artifact's modification time");
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

    private static List<JsonElement> Events(string artifactDir) =>
        Directory.EnumerateFiles(Path.Combine(artifactDir, "job_events"), "*.json")
            .Select(f => JsonDocument.Parse(File.ReadAllText(f)).RootElement)
            .OrderBy(e => e.GetProperty("counter").GetInt64())
            .ToList();

    private static string[] OkHosts(string artifactDir) =>
        Events(artifactDir)
            .Where(e => e.GetProperty("event").GetString() == "runner_on_ok")
            .Select(e => e.GetProperty("event_data").GetProperty("host").GetString()!)
            .Order()
            .ToArray();

    [Fact]
    public async Task Run_ScriptInInventoryDir_IsExecutedForHostsAndVars()
    {
        using var pdd = Fixture();
        var script = pdd.File("inventory/dynamic.sh", """
            #!/bin/sh
            if [ "$1" = "--list" ]; then
              echo '{"scripted": {"hosts": ["fromscript"], "vars": {"ansible_connection": "local", "greeting": "hello from the script"}}, "_meta": {"hostvars": {}}}'
            else
              echo '{}'
            fi
            """);
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        pdd.File("project/scripted.yml", """
            - hosts: scripted
              gather_facts: false
              tasks:
                - ansible.builtin.debug:
                    msg: "{{ greeting }}"
            """);
        var (code, output, _) = await Anvil("run", pdd.Path, "-p", "scripted.yml", "-i", "s1");
        Assert.Equal(0, code);
        Assert.Contains("hello from the script", output);
        Assert.Equal(["fromscript"], OkHosts(Path.Combine(pdd.Path, "artifacts", "s1")));
    }

    [Fact]
    public async Task Run_InventoryOption_ReplacesThePrivateDataDirsInventory()
    {
        using var pdd = Fixture();
        var other = pdd.File("other/hosts.ini", "elsewhere1 ansible_connection=local\nelsewhere2 ansible_connection=local\n");
        pdd.File("inventory/named.ini", "named1 ansible_connection=local\n");
        pdd.File("project/all.yml", """
            - hosts: all
              gather_facts: false
              tasks:
                - ansible.builtin.debug:
                    msg: hi
            """);

        Assert.Equal(0, (await Anvil("run", pdd.Path, "-p", "all.yml", "-q", "-i", "abs", "--inventory", other)).Code);
        Assert.Equal(["elsewhere1", "elsewhere2"], OkHosts(Path.Combine(pdd.Path, "artifacts", "abs")));

        // A relative path is looked up in the private data dir's inventory/, as ansible-runner does.
        Assert.Equal(0, (await Anvil("run", pdd.Path, "-p", "all.yml", "-q", "-i", "rel", "--inventory", "named.ini")).Code);
        Assert.Equal(["named1"], OkHosts(Path.Combine(pdd.Path, "artifacts", "rel")));
    }

    [Fact]
    public async Task Run_ProjectDir_IsWhereThePlaybookIsFoundAndRuns()
    {
        using var pdd = Fixture();
        var project = Path.Combine(pdd.Path, "checkout");
        pdd.File("checkout/from_checkout.yml", """
            - hosts: localhost
              gather_facts: false
              tasks:
                - ansible.builtin.debug:
                    msg: "{{ lookup('ansible.builtin.file', 'marker.txt') }}"
            """);
        pdd.File("checkout/marker.txt", "found next to the playbook");

        var (code, output, _) = await Anvil("run", pdd.Path, "-p", "from_checkout.yml", "-i", "pd1", "--project-dir", project);
        Assert.Equal(0, code);
        Assert.Contains("found next to the playbook", output);
        using var command = JsonDocument.Parse(File.ReadAllText(Path.Combine(pdd.Path, "artifacts", "pd1", "command")));
        Assert.Equal(project, command.RootElement.GetProperty("cwd").GetString());

        // The same playbook name is not in the private data dir's project/, so without the option it is not found.
        var (missing, _, err) = await Anvil("run", pdd.Path, "-p", "from_checkout.yml", "-i", "pd2");
        Assert.Equal(1, missing);
        Assert.Contains("from_checkout.yml: playbook not found", err);
    }
}

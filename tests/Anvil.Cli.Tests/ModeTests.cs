using System.Text.Json;
using Anvil.Cli;

namespace Anvil.Cli.Tests;

/// <summary>Roles run directly, and <c>adhoc</c>/<c>playbook</c> with Ansible's own arguments.</summary>
[Trait("Category", "Integration")]
public class ModeTests
{
    private static async Task<(int Code, string Out, string Err)> Anvil(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await AnvilCommandLine.InvokeAsync(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    private static TempDir Fixture() => new(RepoPaths.FixturePdd);

    private static List<JsonElement> Events(string artifactDir) =>
        Directory.EnumerateFiles(Path.Combine(artifactDir, "job_events"), "*.json")
            .Select(f => JsonDocument.Parse(File.ReadAllText(f)).RootElement)
            .OrderBy(e => e.GetProperty("counter").GetInt64())
            .ToList();

    private static string[] Command(string artifactDir)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(artifactDir, "command")));
        return doc.RootElement.GetProperty("command").EnumerateArray().Select(a => a.GetString()!).ToArray();
    }

    [Fact]
    public async Task RunHelp_HasTheRoleOptions()
    {
        var (code, output, _) = await Anvil("run", "--help");
        Assert.Equal(0, code);
        Assert.Contains("Role options:", output);
        foreach (var option in new[] { "-r, --role", "--roles-path", "--role-vars", "--role-skip-facts" })
        {
            Assert.Contains(option, output);
        }
    }

    [Fact]
    public async Task Role_RunsWithItsVariables_AndLeavesNoGeneratedFileBehind()
    {
        using var pdd = Fixture();
        var before = Directory.GetFiles(Path.Combine(pdd.Path, "project"));
        var (code, output, _) = await Anvil("run", pdd.Path, "-r", "fixture_role", "--hosts", "localhost",
            "--role-vars", "fixture_role_message=from-the-command-line", "--role-skip-facts", "-i", "role1", "--no-record");
        Assert.Equal(0, code);
        Assert.Contains("from-the-command-line", output);
        Assert.Contains("RUNNING HANDLER [fixture_role : fixture role handler]", output);
        Assert.Equal(before, Directory.GetFiles(Path.Combine(pdd.Path, "project")));
        var artifacts = Path.Combine(pdd.Path, "artifacts", "role1");
        Assert.Equal("successful", File.ReadAllText(Path.Combine(artifacts, "status")));
        Assert.DoesNotContain(Events(artifacts), e => e.GetProperty("event").GetString() == "runner_on_ok" &&
                                                      e.GetProperty("event_data").GetProperty("task").GetString() == "Gathering Facts");
    }

    [Theory]
    [InlineData(new[] { "-p", "ok.yml", "--hosts", "localhost" }, "--hosts can only be used with -m or -r")]
    [InlineData(new[] { "-p", "ok.yml", "--role-vars", "a=1" }, "--role-vars, --roles-path and --role-skip-facts can only be used with -r")]
    [InlineData(new[] { "-r", "fixture_role", "--role-vars", "a=1 oops" }, "--role-vars: 'oops' is not key=value")]
    [InlineData(new[] { "-r", "fixture_role", "-p", "ok.yml" }, "-p and -r cannot be used together")]
    [InlineData(new[] { "-r", "fixture_role", "--roles-path", "/nonexistent/roles" }, "--roles-path: /nonexistent/roles: directory not found")]
    public async Task Role_BadInput_ExitsOneWithOneLine_AndWritesNothing(string[] options, string message)
    {
        using var pdd = Fixture();
        var (code, _, err) = await Anvil(["run", pdd.Path, .. options]);
        Assert.Equal(1, code);
        Assert.Equal($"anvil: error: {message}", err.Trim());
        Assert.False(Directory.Exists(Path.Combine(pdd.Path, "artifacts")));
    }

    [Fact]
    public async Task Playbook_TakesAnsiblePlaybooksArguments_AndKeepsTheArtifacts()
    {
        using var dir = Fixture();
        var vars = dir.File("vars.yml", "fixture_fact_source: from-a-vars-file\n");
        dir.File("echo.yml", """
            - hosts: all
              gather_facts: false
              tasks:
                - ansible.builtin.debug:
                    msg: "{{ fixture_fact_source }} {{ extra }}"
            """);
        var artifactRoot = Path.Combine(dir.Path, "kept");
        // Relative paths, -e @file and --limit as a person types them, run from the current directory (a process
        // of its own: the tests' process shares one current directory between parallel tests).
        var (code, output, err) = await AnvilProcess(dir.Path, "playbook", "-i", "inventory/hosts", "echo.yml",
            "-e", "@vars.yml", "-e", "extra=typed", "--limit", "localhost", "--ident", "pb1", "--artifact-dir", artifactRoot,
            "--no-record");
        Assert.Equal(0, code);
        Assert.Contains("from-a-vars-file typed", output);
        var artifacts = Path.Combine(artifactRoot, "pb1");
        Assert.Equal($"Artifacts in {artifacts}", err.Trim());
        Assert.Equal(["ansible-playbook", "-i", "inventory/hosts", "echo.yml", "-e", "@vars.yml", "-e", "<redacted>",
            "--limit", "localhost"], Command(artifacts));
        Assert.Equal("successful", File.ReadAllText(Path.Combine(artifacts, "status")));
        var ok = Events(artifacts).Single(e => e.GetProperty("event").GetString() == "runner_on_ok");
        Assert.Equal("localhost", ok.GetProperty("event_data").GetProperty("host").GetString());
        Assert.True(File.Exists(vars));
    }

    private static async Task<(int Code, string Out, string Err)> AnvilProcess(string cwd, params string[] args)
    {
        var psi = new System.Diagnostics.ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "anvil"), args)
        {
            WorkingDirectory = cwd,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var p = System.Diagnostics.Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        return (p.ExitCode, await stdout, await stderr);
    }

    [Fact]
    public async Task Adhoc_TakesAnsiblesArguments_ArtifactsGoUnderAnvilHome_ExitCodeIsAnsibles()
    {
        using var dir = Fixture();
        var inventory = Path.Combine(dir.Path, "inventory", "hosts");
        var (code, _, _) = await Anvil("adhoc", "-i", inventory, "localhost", "-m", "ansible.builtin.command",
            "-a", "false", "--ident", "ah1", "--quiet", "--no-record");
        Assert.Equal(2, code);
        var artifacts = Path.Combine(TestEnvironment.AnvilHome, "runs", "artifacts", "ah1");
        Assert.Equal("failed", File.ReadAllText(Path.Combine(artifacts, "status")));
        Assert.Equal("2", File.ReadAllText(Path.Combine(artifacts, "rc")));
        var events = Events(artifacts);
        Assert.Equal(["playbook_on_start", "runner_on_start", "runner_on_failed", "playbook_on_stats"],
            events.Select(e => e.GetProperty("event").GetString()));
        Assert.All(events, e => Assert.Equal(1, e.GetProperty("ad_hoc_command_id").GetInt32()));
    }

    [Theory]
    [InlineData("adhoc", "give the arguments of ansible, e.g. 'anvil adhoc localhost -m ping'")]
    [InlineData("playbook", "give the arguments of ansible-playbook, e.g. 'anvil playbook -i inventory site.yml'")]
    public async Task PassThrough_WithoutArguments_ExitsOne(string command, string message)
    {
        var (code, _, err) = await Anvil(command, "--no-record");
        Assert.Equal(1, code);
        Assert.Equal($"anvil: error: {message}", err.Trim());
    }

    [Fact]
    public async Task IsAliveAndStop_WithoutABackgroundRun_ExitOne()
    {
        using var pdd = Fixture();
        Assert.Equal(1, (await Anvil("is-alive", pdd.Path)).Code);
        var (code, _, err) = await Anvil("stop", pdd.Path);
        Assert.Equal(1, code);
        Assert.Equal($"anvil: error: {Path.Combine(pdd.Path, "pid")}: no run is going from this private data dir", err.Trim());
    }
}

using System.Text.Json;
using Anvil.Cli;

namespace Anvil.Cli.Tests;

/// <summary>The process isolation, container and resource profiling options of <c>anvil run</c>.</summary>
[Trait("Category", "Integration")]
public class IsolationOptionTests
{
    private static async Task<(int Code, string Out, string Err)> Anvil(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await AnvilCommandLine.InvokeAsync(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    private static string[] Command(string artifactDir)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(artifactDir, "command")));
        return doc.RootElement.GetProperty("command").EnumerateArray().Select(a => a.GetString()!).ToArray();
    }

    [Fact]
    public async Task RunHelp_HasTheIsolationContainerAndProfilingGroups()
    {
        var (code, output, _) = await Anvil("run", "--help");
        Assert.Equal(0, code);
        foreach (var text in new[]
                 {
                     "Process isolation:", "--process-isolation-executable PROGRAM", "--process-isolation-hide-paths PATH",
                     "--directory-isolation-base-path DIR", "Container options:", "--container-volume-mount MOUNT",
                     "--container-option OPTION", "Resource profiling:", "--resource-profiling-pid-poll-interval SECONDS",
                 })
        {
            Assert.Contains(text, output);
        }
    }

    [Theory]
    [InlineData("a container image needs process isolation", "--container-image", "img")]
    [InlineData("--resource-profiling-cpu-poll-interval must be a number of seconds above 0, got 0", "--resource-profiling-cpu-poll-interval", "0")]
    [InlineData("directory isolation base path not found", "--directory-isolation-base-path", "/nonexistent/base")]
    [InlineData("--container-volume-mount 'nocolon': expected HOST_PATH:CONTAINER_PATH", "--process-isolation", "--container-image", "img", "--container-volume-mount", "nocolon")]
    public async Task OptionsThatCannotWork_ExitOneWithOneLine_AndWriteNothing(string expected, params string[] options)
    {
        using var pdd = new TempDir(RepoPaths.FixturePdd);
        var (code, _, err) = await Anvil(["run", pdd.Path, "-p", "ok.yml", "--no-record", .. options]);
        Assert.Equal(1, code);
        Assert.Contains(expected, err);
        Assert.Single(err.Trim().Split('\n'));
        Assert.False(Directory.Exists(Path.Combine(pdd.Path, "artifacts")));
    }

    [Fact]
    public async Task Sandbox_TakesSeveralPathsPerOption_AndTheCommandShowsTheBinds()
    {
        using var pdd = new TempDir(RepoPaths.FixturePdd);
        var a = Directory.CreateDirectory(Path.Combine(pdd.Path, "hide-a")).FullName;
        var b = Directory.CreateDirectory(Path.Combine(pdd.Path, "hide-b")).FullName;
        var (code, _, err) = await Anvil("run", pdd.Path, "-p", "ok.yml", "-i", "bw", "-q", "--no-record",
            "--process-isolation", "--process-isolation-hide-paths", a, b);
        Assert.True(code == 0, err);
        var command = Command(Path.Combine(pdd.Path, "artifacts", "bw"));
        Assert.Equal("bwrap", command[0]);
        var hidden = Enumerable.Range(0, command.Length - 2).Where(i => command[i] == "--ro-bind" && command[i + 2] is var t && (t == a || t == b)).ToList();
        Assert.Equal(2, hidden.Count);
    }

    [Fact]
    public async Task Container_OptionStartingWithDashes_IsPassedWithEquals()
    {
        using var pdd = new TempDir(RepoPaths.FixturePdd);
        var (code, _, _) = await Anvil("run", pdd.Path, "-p", "ok.yml", "-i", "c1", "-q", "--no-record", "--process-isolation",
            "--process-isolation-executable", "/nonexistent/podman", "--container-image", "quay.io/x/ee:1",
            "--container-option=--network=none", "--container-option=--pull=never");
        Assert.Equal(127, code); // no engine here; the command it would have run is in the artifact
        var command = Command(Path.Combine(pdd.Path, "artifacts", "c1"));
        Assert.Equal(["--name", "ansible_runner_c1", "--network=none", "--pull=never", "quay.io/x/ee:1", "ansible-playbook"], command.SkipWhile(a => a != "--name").Take(6));
    }
}

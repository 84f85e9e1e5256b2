using Anvil.Runner;

namespace Anvil.Integration.Tests;

/// <summary>The env/settings keys on real runs: which timeout fired, output suppression, the fact cache.</summary>
[Trait("Category", "Integration")]
public class SettingsTests
{
    [Fact]
    public async Task IdleTimeout_EndsAQuietJob_AndSaysWhichLimitFired()
    {
        using var pdd = Fixtures.Copy(Fixtures.FixturePdd);
        pdd.File("env/settings", "idle_timeout: 2\njob_timeout: 600\n");
        var result = await Fixtures.RunAnvilAsync(pdd.Path, "sleep.yml");
        Assert.Equal(RunStatus.Timeout, result.Status);
        Assert.Equal(254, result.Rc);
        Assert.Equal("idle_timeout", result.TimeoutReason);
        Assert.Equal("idle_timeout", File.ReadAllText(Path.Combine(result.ArtifactDir, "timeout_reason")));
        Assert.Empty(Processes.WithArgument(pdd.Path));
    }

    [Fact]
    public async Task CancelCallback_ReturningTrue_CancelsTheWholeJob()
    {
        using var pdd = Fixtures.Copy(Fixtures.FixturePdd);
        var started = false;
        var result = await Fixtures.RunAnvilAsync(pdd.Path, "sleep.yml", configure: o => o with
        {
            EventHandler = (e, _) =>
            {
                started |= e.Event == Anvil.Events.EventNames.RunnerOnStart;
                return ValueTask.FromResult(true);
            },
            CancelCallback = () => Volatile.Read(ref started),
        });
        Assert.Equal(RunStatus.Canceled, result.Status);
        Assert.Equal(254, result.Rc);
        Assert.Null(result.TimeoutReason);
        Assert.Empty(Processes.WithArgument(pdd.Path));
    }

    [Theory]
    [InlineData("suppress_ansible_output")]
    [InlineData("suppress_ansi_output")] // the name ansible-runner's documentation gives it
    public async Task SuppressAnsibleOutput_EchoesNothing_ButKeepsTheArtifacts(string key)
    {
        using var pdd = Fixtures.Copy(Fixtures.FixturePdd);
        pdd.File("env/settings", $"{key}: true\n");
        var console = new StringWriter();
        var result = await Fixtures.RunAnvilAsync(pdd.Path, "ok.yml", configure: o => o with { Output = console });
        Assert.Equal(RunStatus.Successful, result.Status);
        Assert.Equal("", console.ToString());
        Assert.Contains("PLAY RECAP", result.Stdout);
    }

    [Fact]
    public async Task SuppressOutputFile_WritesNoStdoutOrStderr_ButEveryEvent()
    {
        using var pdd = Fixtures.Copy(Fixtures.FixturePdd);
        pdd.File("env/settings", "suppress_output_file: true\n");
        var result = await Fixtures.RunAnvilAsync(pdd.Path, "ok.yml");
        Assert.Equal(RunStatus.Successful, result.Status);
        Assert.False(File.Exists(Path.Combine(result.ArtifactDir, "stdout")));
        Assert.False(File.Exists(Path.Combine(result.ArtifactDir, "stderr")));
        Assert.Equal(result.EventCount, Fixtures.ReadEvents(result.ArtifactDir).Count);
    }

    [Fact]
    public async Task FactCache_GoesWhereTheSettingSays_AndAnotherTypeLeavesItToAnsible()
    {
        using var pdd = Fixtures.Copy(Fixtures.FixturePdd);
        pdd.File("project/facts.yml", "- hosts: localhost\n  gather_facts: true\n  gather_subset: [min]\n  tasks: []\n");
        pdd.File("env/settings", "fact_cache: my_facts\n");
        var result = await Fixtures.RunAnvilAsync(pdd.Path, "facts.yml", ident: "json");
        Assert.Equal(RunStatus.Successful, result.Status);
        Assert.NotNull(result.GetFactCache("localhost", "my_facts"));
        Assert.False(Directory.Exists(Path.Combine(result.ArtifactDir, "fact_cache")));

        pdd.File("env/settings", "fact_cache_type: memory\n");
        var memory = await Fixtures.RunAnvilAsync(pdd.Path, "facts.yml", ident: "memory");
        Assert.Equal(RunStatus.Successful, memory.Status);
        Assert.False(Directory.Exists(Path.Combine(memory.ArtifactDir, "fact_cache")));
        using var command = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(memory.ArtifactDir, "command")));
        Assert.False(command.RootElement.GetProperty("env").TryGetProperty("ANSIBLE_CACHE_PLUGIN", out _));
    }
}

using System.Diagnostics;
using Anvil.Runner.Interface;

namespace Anvil.Integration.Tests;

/// <summary>The helper functions against the real Ansible tools.</summary>
[Trait("Category", "Integration")]
public class AnsibleCommandsTests
{
    private static string Inventory => Path.Combine(Fixtures.FixturePdd, "inventory");

    [Fact]
    public async Task RunCommand_KeepsStdoutStderrAndTheExitCode()
    {
        using var dir = new TempDir();
        dir.File("fail.yml", "- hosts: localhost\n  gather_facts: false\n  tasks:\n    - ansible.builtin.fail:\n        msg: on purpose\n");
        var result = await AnsibleCommands.RunCommandAsync("ansible-playbook", ["-i", "localhost,", "-c", "local", "fail.yml"],
            new AnsibleCommandOptions { WorkingDirectory = dir.Path, EnvVars = new Dictionary<string, string> { ["ANSIBLE_NOCOLOR"] = "1" } });
        Assert.Equal(2, result.Rc);
        Assert.False(result.Succeeded);
        Assert.Contains("on purpose", result.Stdout);
        Assert.Contains("PLAY RECAP", result.Stdout);

        var usage = AnsibleCommands.RunCommand("ansible-inventory", ["--no-such-flag"]);
        Assert.Equal(2, usage.Rc);
        Assert.Contains("unrecognized arguments: --no-such-flag", usage.Stderr);
        Assert.DoesNotContain("unrecognized", usage.Stdout);

        var missing = await AnsibleCommands.RunCommandAsync("no-such-ansible-tool", []);
        Assert.Equal(127, missing.Rc);
    }

    [Fact]
    public async Task RunCommand_CancelAndTimeout_EndEveryProcessOfTheTool()
    {
        using var dir = new TempDir();
        var marker = "anvil-helper-" + Guid.NewGuid().ToString("N");
        dir.File("sleep.yml", $"- hosts: localhost\n  gather_facts: false\n  tasks:\n    - ansible.builtin.command: sleep 300\n      environment:\n        MARKER: {marker}\n");
        var options = new AnsibleCommandOptions
        {
            WorkingDirectory = dir.Path,
            EnvVars = new Dictionary<string, string> { ["TMPDIR"] = dir.Path, ["ANVIL_TEST_MARKER"] = marker },
        };

        using var cts = new CancellationTokenSource();
        var run = AnsibleCommands.RunCommandAsync("ansible-playbook", ["-i", "localhost,", "-c", "local", "sleep.yml"], options, cts.Token);
        await WaitUntil(() => ProcessesWith(marker).Count >= 2 || run.IsCompleted);
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        Assert.Empty(ProcessesWith(marker));

        var timedOut = AnsibleCommands.RunCommandAsync("ansible-playbook", ["-i", "localhost,", "-c", "local", "sleep.yml"],
            options with { Timeout = TimeSpan.FromSeconds(3) });
        var e = await Assert.ThrowsAsync<TimeoutException>(() => timedOut);
        Assert.Equal("ansible-playbook did not finish within 3 s", e.Message);
        Assert.Empty(ProcessesWith(marker));
    }

    [Fact]
    public async Task PluginDocs_AreTyped_AndUnknownNamesAreListed()
    {
        var docs = await AnsibleCommands.GetPluginDocsAsync(["ansible.builtin.copy", "no_such_module_anywhere"]);
        Assert.Equal(["no_such_module_anywhere"], docs.NotFound);
        var copy = Assert.Single(docs.Plugins);
        Assert.Equal("ansible.builtin.copy", copy.Name);
        Assert.Equal("ansible.builtin", copy.Collection);
        Assert.Equal("Copy files to remote locations", copy.ShortDescription);
        Assert.NotEmpty(copy.Description);
        Assert.EndsWith("copy.py", copy.Filename);
        Assert.True(copy.Options["dest"].Required);
        Assert.Equal("path", copy.Options["dest"].Type);
        Assert.Equal("bool", copy.Options["backup"].Type);
        Assert.False((bool)copy.Options["backup"].Default!);
        Assert.Contains("dest", copy.Returns!.Select(r => r.Key));
        Assert.Contains("ansible.builtin.copy:", copy.Examples);

        var lookup = AnsibleCommands.GetPluginDocs(["file"], pluginType: "lookup");
        Assert.Equal("read file contents", Assert.Single(lookup.Plugins).ShortDescription);
    }

    [Fact]
    public async Task PluginListAndFiles_OfOneCollection()
    {
        var list = await AnsibleCommands.GetPluginListAsync("module", collection: "ansible.builtin");
        Assert.Contains(list, p => p is { Name: "ansible.builtin.ping", ShortDescription: "Try to connect to host, verify a usable python and return C(pong) on success" });
        Assert.All(list, p => Assert.StartsWith("ansible.builtin.", p.Name));

        var files = AnsibleCommands.GetPluginFiles("lookup", collection: "ansible.builtin");
        var file = Assert.Single(files, f => f.Name == "ansible.builtin.file");
        Assert.True(File.Exists(file.Path), file.Path);
    }

    [Fact]
    public async Task Inventory_ListHostAndGraph()
    {
        var listing = await AnsibleCommands.GetInventoryAsync([Inventory]);
        Assert.Equal(["ungrouped", "multi", "unreachable"], listing.Groups["all"].Children);
        Assert.Equal(["host1", "host2", "host3"], listing.Groups["multi"].Hosts);
        Assert.Equal(["host1", "host2", "host3"], listing.HostsOf("multi"));
        Assert.Equal(5, listing.HostsOf("all").Count);
        Assert.Equal(1, (int)listing.HostVars["unreach"]["ansible_port"]!);
        Assert.Equal(5, listing.Hosts.Count);

        var host = AnsibleCommands.GetInventoryHost([Inventory], "unreach");
        Assert.Equal("127.0.0.1", (string)host.Vars["ansible_host"]!);

        var graph = await AnsibleCommands.GetInventoryGraphAsync([Inventory], withVars: true);
        Assert.Equal("all", graph.Root.Name);
        var multi = graph.Root.Children.Single(c => c.Name == "multi");
        Assert.True(multi.IsGroup);
        Assert.Equal(["host1", "host2", "host3"], multi.Children.Select(c => c.Name));
        Assert.Equal("local", multi.Children[0].Vars["ansible_connection"]);

        var one = await AnsibleCommands.GetInventoryGraphAsync([Inventory], group: "unreachable");
        Assert.Equal(["unreach"], one.Root.Children.Select(c => c.Name));

        var error = await Assert.ThrowsAsync<AnsibleCommandException>(() =>
            AnsibleCommands.GetInventoryHostAsync([Inventory], "no-such-host"));
        Assert.Contains("You must pass a single valid host to --host parameter", error.Message);
        Assert.NotEqual(0, error.Result.Rc);
    }

    [Fact]
    public async Task Config_ListDumpAndView()
    {
        var definitions = await AnsibleCommands.GetConfigListAsync();
        var forks = Assert.Single(definitions, d => d.Key == "DEFAULT_FORKS");
        Assert.Equal(5, (int)forks.Default!);
        Assert.Contains("ANSIBLE_FORKS", forks.EnvVars);
        Assert.Contains(new ConfigIniKey("defaults", "forks"), forks.Ini);

        var options = new AnsibleCommandOptions { EnvVars = new Dictionary<string, string> { ["ANSIBLE_FORKS"] = "7" } };
        var changed = await AnsibleCommands.GetConfigDumpAsync(onlyChanged: true, options: options);
        var setting = Assert.Single(changed, s => s.Name == "DEFAULT_FORKS");
        Assert.Equal(7, (int)setting.Value!);
        Assert.Equal("env: ANSIBLE_FORKS", setting.Origin);
        Assert.DoesNotContain(changed, s => s.IsDefault);
        var all = AnsibleCommands.GetConfigDump(options: options);
        Assert.True(all.Count > changed.Count);
        Assert.Contains(all, s => s.IsDefault);

        using var dir = new TempDir();
        var cfg = dir.File("ansible.cfg", "[defaults]\nforks = 3\n");
        Assert.Equal("[defaults]\nforks = 3\n", await AnsibleCommands.GetConfigViewAsync(cfg));
        var fromFile = await AnsibleCommands.GetConfigDumpAsync(cfg, onlyChanged: true);
        Assert.Equal(cfg, fromFile.Single(s => s.Name == "DEFAULT_FORKS").Origin);

        // With no configuration file anywhere, view has nothing to show.
        var none = new AnsibleCommandOptions { WorkingDirectory = dir.Path, EnvVars = new Dictionary<string, string> { ["ANSIBLE_CONFIG"] = "" } };
        File.Delete(cfg);
        var e = await Assert.ThrowsAsync<AnsibleCommandException>(() => AnsibleCommands.GetConfigViewAsync(options: none));
        Assert.Contains("ERROR! Invalid or no config file was supplied", e.Message);
    }

    private static List<int> ProcessesWith(string marker)
    {
        var found = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid) || pid == Environment.ProcessId)
            {
                continue;
            }
            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                if (stat[(stat.LastIndexOf(')') + 2)] is not ('Z' or 'X') &&
                    File.ReadAllText(Path.Combine(dir, "environ")).Contains(marker, StringComparison.Ordinal))
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

    // A bound only so a broken run fails instead of hanging; nothing is asserted about the time.
    private static Task WaitUntil(Func<bool> condition) =>
        Wait.UntilAsync(condition, TimeSpan.FromMinutes(2), "the tool did not get there");
}

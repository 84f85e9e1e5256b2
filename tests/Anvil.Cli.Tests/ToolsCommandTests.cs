using System.Text.Json;
using Anvil.Cli;

namespace Anvil.Cli.Tests;

/// <summary><c>anvil tools …</c> runs the real Ansible tools and prints their typed results as JSON.</summary>
[Trait("Category", "Integration")]
public class ToolsCommandTests
{
    private static async Task<(int Code, string Out, string Err)> Anvil(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await AnvilCommandLine.InvokeAsync(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task PluginDocs_AndPluginList_AreJson()
    {
        var (code, output, err) = await Anvil("tools", "plugin-docs", "ansible.builtin.ping", "no.such.plugin");
        Assert.True(code == 0, err);
        using var docs = JsonDocument.Parse(output);
        Assert.Equal("ansible.builtin.ping", docs.RootElement.GetProperty("plugins")[0].GetProperty("name").GetString());
        Assert.Equal("no.such.plugin", docs.RootElement.GetProperty("not_found")[0].GetString());

        (code, output, err) = await Anvil("tools", "plugin-list", "-t", "callback", "--collection", "ansible.builtin");
        Assert.True(code == 0, err);
        using var list = JsonDocument.Parse(output);
        Assert.Contains(list.RootElement.EnumerateArray(), p => p.GetProperty("name").GetString() == "ansible.builtin.default");
    }

    [Fact]
    public async Task Inventory_ListHostGraph_ReadTheInventory()
    {
        using var tmp = new TempDir();
        var inventory = tmp.File("hosts.ini", "[web]\nweb1 colour=blue\nweb2\n");
        var (code, output, err) = await Anvil("tools", "inventory", "list", "-i", inventory);
        Assert.True(code == 0, err);
        Assert.Contains("web1", output);
        Assert.Contains("web2", output);

        (code, output, _) = await Anvil("tools", "inventory", "host", "web1", "-i", inventory);
        Assert.Equal(0, code);
        Assert.Contains("blue", output);

        (code, output, _) = await Anvil("tools", "inventory", "graph", "-i", inventory);
        Assert.Equal(0, code);
        Assert.Contains("@web:", output);
    }

    [Fact]
    public async Task Config_DumpOnlyChanged_AndExec_ReportWhatAnsibleSays()
    {
        using var tmp = new TempDir();
        var cfg = tmp.File("ansible.cfg", "[defaults]\nforks = 17\n");
        var (code, output, err) = await Anvil("tools", "config", "dump", "--only-changed", "-c", cfg);
        Assert.True(code == 0, err);
        using var dump = JsonDocument.Parse(output);
        var forks = Assert.Single(dump.RootElement.EnumerateArray(), s => s.GetProperty("name").GetString() == "DEFAULT_FORKS");
        Assert.Equal(17, forks.GetProperty("value").GetInt32());

        (code, output, _) = await Anvil("tools", "exec", "ansible-inventory", "--", "--version");
        Assert.Equal(0, code);
        using var exec = JsonDocument.Parse(output);
        Assert.Equal(0, exec.RootElement.GetProperty("rc").GetInt32());
        Assert.Contains("ansible-inventory", exec.RootElement.GetProperty("stdout").GetString());

        (code, output, _) = await Anvil("tools", "exec", "ansible-inventory", "--", "--no-such-flag");
        Assert.Equal(1, code);
        Assert.NotEqual(0, JsonDocument.Parse(output).RootElement.GetProperty("rc").GetInt32());
    }
}

using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Serialization;
using Anvil.Runner.Interface;

namespace Anvil.Cli.Commands;

/// <summary><c>anvil tools …</c>: ansible-runner's helper functions (<c>AnsibleCommands</c>) from the shell, each
/// printing the typed result as JSON, so that scripts get the same shapes as C# callers.</summary>
internal static class ToolsCommand
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static Command Create()
    {
        var type = new Option<string>("--type", "-t") { Description = "plugin type (default: module)", DefaultValueFactory = _ => "module" };
        var names = new Argument<string[]>("names") { Description = "plugin names", Arity = ArgumentArity.OneOrMore };
        var docs = new Command("plugin-docs", "Documentation of plugins (ansible-doc --json).") { names, type };
        docs.SetAction((p, ct) => PrintAsync(p, AnsibleCommands.GetPluginDocsAsync(p.GetValue(names)!, p.GetValue(type)!, ct: ct)));

        var listType = new Option<string>("--type", "-t") { Description = "plugin type (default: module)", DefaultValueFactory = _ => "module" };
        var collection = new Option<string?>("--collection") { Description = "only this collection's plugins" };
        var list = new Command("plugin-list", "The plugins Ansible can load (ansible-doc --list --json).") { listType, collection };
        list.SetAction((p, ct) => PrintAsync(p, AnsibleCommands.GetPluginListAsync(p.GetValue(listType)!, p.GetValue(collection), ct: ct)));

        var inventories = new Option<string[]>("--inventory", "-i") { Description = "inventory sources", Required = true, Arity = ArgumentArity.OneOrMore };
        var invList = new Command("list", "Every group and host with its variables (ansible-inventory --list).") { inventories };
        invList.SetAction((p, ct) => PrintAsync(p, AnsibleCommands.GetInventoryAsync(p.GetValue(inventories)!, ct: ct)));
        var hostName = new Argument<string>("host") { Description = "the host" };
        var invHost = new Command("host", "One host's variables (ansible-inventory --host).") { hostName, inventories };
        invHost.SetAction((p, ct) => PrintAsync(p, AnsibleCommands.GetInventoryHostAsync(p.GetValue(inventories)!, p.GetValue(hostName)!, ct: ct)));
        var invGraph = new Command("graph", "The group tree (ansible-inventory --graph).") { inventories };
        invGraph.SetAction((p, ct) => PrintAsync(p, AnsibleCommands.GetInventoryGraphAsync(p.GetValue(inventories)!, ct: ct)));
        var inventory = new Command("inventory", "Read an inventory as Ansible sees it.") { invList, invHost, invGraph };

        var configFile = new Option<string?>("--config", "-c") { Description = "the ansible.cfg to read (default: Ansible's own search)" };
        var onlyChanged = new Option<bool>("--only-changed") { Description = "only settings that differ from the defaults" };
        var cfgList = new Command("list", "Every setting Ansible knows (ansible-config list).") { configFile };
        cfgList.SetAction((p, ct) => PrintAsync(p, AnsibleCommands.GetConfigListAsync(p.GetValue(configFile), ct: ct)));
        var cfgDump = new Command("dump", "The settings in effect and where each comes from (ansible-config dump).") { configFile, onlyChanged };
        cfgDump.SetAction((p, ct) => PrintAsync(p, AnsibleCommands.GetConfigDumpAsync(p.GetValue(configFile), p.GetValue(onlyChanged), ct: ct)));
        var cfgView = new Command("view", "The configuration file's text (ansible-config view).") { configFile };
        cfgView.SetAction(async (p, ct) =>
        {
            await p.InvocationConfiguration.Output.WriteAsync(await AnsibleCommands.GetConfigViewAsync(p.GetValue(configFile), ct: ct));
            return 0;
        });
        var config = new Command("config", "Ansible's configuration.") { cfgList, cfgDump, cfgView };

        var executable = new Argument<string>("command") { Description = "an Ansible program, e.g. ansible-inventory" };
        var rest = new Argument<string[]>("arguments") { Description = "its arguments (after --)", Arity = ArgumentArity.ZeroOrMore };
        var exec = new Command("exec", "Run any Ansible command; prints its stdout, stderr and exit code as JSON.") { executable, rest };
        exec.SetAction((p, ct) => PrintAsync(p, AnsibleCommands.RunCommandAsync(p.GetValue(executable)!, p.GetValue(rest) ?? [], ct: ct)));

        return new Command("tools", "ansible-runner's helper functions: plugin docs and lists, inventory, config, any Ansible command.")
        {
            docs, list, inventory, config, exec,
        };
    }

    private static async Task<int> PrintAsync<T>(ParseResult parse, Task<T> work)
    {
        try
        {
            var result = await work;
            await parse.InvocationConfiguration.Output.WriteLineAsync(JsonSerializer.Serialize(result, Json));
            return result is AnsibleCommandResult { Rc: not 0 } ? 1 : 0;
        }
        catch (Exception e) when (e is AnsibleCommandException or InvalidOperationException or IOException or System.ComponentModel.Win32Exception or JsonException)
        {
            await parse.InvocationConfiguration.Error.WriteLineAsync($"anvil: error: {e.Message}");
            return AnvilCommandLine.InputError;
        }
    }
}

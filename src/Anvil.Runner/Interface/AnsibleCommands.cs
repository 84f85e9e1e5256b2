using System.Text.Json;
using System.Text.Json.Nodes;

namespace Anvil.Runner.Interface;

/// <summary>Where <c>ansible-inventory</c> finds variables besides the inventories themselves.</summary>
public sealed record InventoryOptions
{
    /// <summary>Stands in for a playbook directory (its <c>group_vars/</c>, <c>host_vars/</c>).</summary>
    public string? PlaybookDir { get; init; }
    /// <summary><c>--vault-id</c>, for encrypted variable files.</summary>
    public string? VaultId { get; init; }
    /// <summary><c>--vault-password-file</c>, for encrypted variable files.</summary>
    public string? VaultPasswordFile { get; init; }
}

/// <summary>
/// ansible-runner's helper functions: run any Ansible tool (<c>run_command</c>), plugin docs and lists
/// (<c>ansible-doc</c>), inventory (<c>ansible-inventory</c>) and configuration (<c>ansible-config</c>). Each has an
/// async form and a blocking one. Where the tool prints JSON the answer is a typed record; a tool that fails throws
/// <see cref="AnsibleCommandException"/> carrying its output. Canceling the token (or
/// <see cref="AnsibleCommandOptions.Timeout"/>) ends the tool and everything it started.
/// </summary>
/// <remarks>These run the tool directly, with stdout and stderr kept apart, and write no artifacts. To run a
/// playbook with events and artifacts, use <see cref="AnsibleRunner"/> (with <see cref="RunnerOptions.Arguments"/>
/// for arguments as typed).</remarks>
public static class AnsibleCommands
{
    /// <summary>Runs <paramref name="executable"/> (e.g. <c>ansible-playbook</c>) with these arguments.</summary>
    public static Task<AnsibleCommandResult> RunCommandAsync(string executable, IReadOnlyList<string> arguments,
        AnsibleCommandOptions? options = null, CancellationToken ct = default) =>
        ToolProcess.RunAsync(executable, arguments, options, ct);

    /// <inheritdoc cref="RunCommandAsync"/>
    public static AnsibleCommandResult RunCommand(string executable, IReadOnlyList<string> arguments,
        AnsibleCommandOptions? options = null, CancellationToken ct = default) =>
        RunCommandAsync(executable, arguments, options, ct).GetAwaiter().GetResult();

    /// <summary>Documentation of plugins (<c>ansible-doc --json -t TYPE NAME…</c>).</summary>
    public static async Task<PluginDocs> GetPluginDocsAsync(IReadOnlyList<string> names, string pluginType = "module",
        string? playbookDir = null, string? modulePath = null, AnsibleCommandOptions? options = null,
        CancellationToken ct = default)
    {
        if (names.Count == 0 || names.Any(string.IsNullOrWhiteSpace))
        {
            throw new ArgumentException("name at least one plugin, none empty", nameof(names));
        }
        var args = DocArguments(["--json", "-t", pluginType], playbookDir, modulePath);
        args.AddRange(names);
        var json = await JsonAsync("ansible-doc", args, options, ct).ConfigureAwait(false) as JsonObject
                   ?? throw new AnsibleCommandException("ansible-doc did not print a JSON object", new("", "", 0));
        var found = names.Where(json.ContainsKey).Distinct(StringComparer.Ordinal)
            .Select(n => PluginDoc.From(n, json[n] as JsonObject ?? [])).ToList();
        return new PluginDocs(found, names.Where(n => !json.ContainsKey(n)).ToList());
    }

    /// <inheritdoc cref="GetPluginDocsAsync"/>
    public static PluginDocs GetPluginDocs(IReadOnlyList<string> names, string pluginType = "module",
        string? playbookDir = null, string? modulePath = null, AnsibleCommandOptions? options = null,
        CancellationToken ct = default) =>
        GetPluginDocsAsync(names, pluginType, playbookDir, modulePath, options, ct).GetAwaiter().GetResult();

    /// <summary>Installed plugins of a type, optionally of one collection (<c>ansible-doc --list --json</c>).</summary>
    public static async Task<IReadOnlyList<PluginSummary>> GetPluginListAsync(string pluginType = "module",
        string? collection = null, string? playbookDir = null, string? modulePath = null,
        AnsibleCommandOptions? options = null, CancellationToken ct = default)
    {
        var args = DocArguments(["--list", "--json", "-t", pluginType], playbookDir, modulePath);
        if (collection is not null)
        {
            args.Add(collection);
        }
        var json = await JsonAsync("ansible-doc", args, options, ct).ConfigureAwait(false) as JsonObject ?? [];
        return json.Select(kv => new PluginSummary(kv.Key, Json.Text(kv.Value) ?? "")).ToList();
    }

    /// <inheritdoc cref="GetPluginListAsync"/>
    public static IReadOnlyList<PluginSummary> GetPluginList(string pluginType = "module", string? collection = null,
        string? playbookDir = null, string? modulePath = null, AnsibleCommandOptions? options = null,
        CancellationToken ct = default) =>
        GetPluginListAsync(pluginType, collection, playbookDir, modulePath, options, ct).GetAwaiter().GetResult();

    /// <summary>Installed plugins of a type with their files (<c>ansible-doc --list_files</c>, read from its text:
    /// ansible-core 2.14 cannot print this list as JSON).</summary>
    public static async Task<IReadOnlyList<PluginFile>> GetPluginFilesAsync(string pluginType = "module",
        string? collection = null, string? playbookDir = null, string? modulePath = null,
        AnsibleCommandOptions? options = null, CancellationToken ct = default)
    {
        var args = DocArguments(["--list_files", "-t", pluginType], playbookDir, modulePath);
        if (collection is not null)
        {
            args.Add(collection);
        }
        var result = Checked("ansible-doc", args, await RunCommandAsync("ansible-doc", args, options, ct).ConfigureAwait(false));
        var files = new List<PluginFile>();
        foreach (var line in result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            // "name<spaces>path": names have no spaces, paths may.
            var gap = line.IndexOfAny([' ', '\t']);
            if (gap > 0)
            {
                files.Add(new PluginFile(line[..gap], line[gap..].Trim()));
            }
        }
        return files;
    }

    /// <inheritdoc cref="GetPluginFilesAsync"/>
    public static IReadOnlyList<PluginFile> GetPluginFiles(string pluginType = "module", string? collection = null,
        string? playbookDir = null, string? modulePath = null, AnsibleCommandOptions? options = null,
        CancellationToken ct = default) =>
        GetPluginFilesAsync(pluginType, collection, playbookDir, modulePath, options, ct).GetAwaiter().GetResult();

    /// <summary>The whole inventory (<c>ansible-inventory --list</c>); <paramref name="export"/> keeps group
    /// variables on the groups instead of merging them into the hosts.</summary>
    public static async Task<InventoryListing> GetInventoryAsync(IReadOnlyList<string> inventories, bool export = false,
        InventoryOptions? inventoryOptions = null, AnsibleCommandOptions? options = null, CancellationToken ct = default)
    {
        var args = InventoryArguments(["--list"], inventories, inventoryOptions);
        if (export)
        {
            args.Add("--export");
        }
        var json = await JsonAsync("ansible-inventory", args, options, ct).ConfigureAwait(false) as JsonObject ?? [];
        return InventoryListing.From(json);
    }

    /// <inheritdoc cref="GetInventoryAsync"/>
    public static InventoryListing GetInventory(IReadOnlyList<string> inventories, bool export = false,
        InventoryOptions? inventoryOptions = null, AnsibleCommandOptions? options = null, CancellationToken ct = default) =>
        GetInventoryAsync(inventories, export, inventoryOptions, options, ct).GetAwaiter().GetResult();

    /// <summary>One host's variables (<c>ansible-inventory --host HOST</c>).</summary>
    public static async Task<InventoryHost> GetInventoryHostAsync(IReadOnlyList<string> inventories, string host,
        InventoryOptions? inventoryOptions = null, AnsibleCommandOptions? options = null, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(host);
        var args = InventoryArguments(["--host", host], inventories, inventoryOptions);
        var json = await JsonAsync("ansible-inventory", args, options, ct).ConfigureAwait(false) as JsonObject ?? [];
        return new InventoryHost(host, json);
    }

    /// <inheritdoc cref="GetInventoryHostAsync"/>
    public static InventoryHost GetInventoryHost(IReadOnlyList<string> inventories, string host,
        InventoryOptions? inventoryOptions = null, AnsibleCommandOptions? options = null, CancellationToken ct = default) =>
        GetInventoryHostAsync(inventories, host, inventoryOptions, options, ct).GetAwaiter().GetResult();

    /// <summary>The inventory as a tree of groups and hosts (<c>ansible-inventory --graph [GROUP] [--vars]</c>).</summary>
    public static async Task<InventoryGraph> GetInventoryGraphAsync(IReadOnlyList<string> inventories,
        string? group = null, bool withVars = false, InventoryOptions? inventoryOptions = null,
        AnsibleCommandOptions? options = null, CancellationToken ct = default)
    {
        var args = InventoryArguments(["--graph"], inventories, inventoryOptions);
        if (withVars)
        {
            args.Add("--vars");
        }
        if (group is not null)
        {
            args.Add(group);
        }
        var result = Checked("ansible-inventory", args,
            await RunCommandAsync("ansible-inventory", args, options, ct).ConfigureAwait(false));
        return InventoryGraph.Parse(result.Stdout);
    }

    /// <inheritdoc cref="GetInventoryGraphAsync"/>
    public static InventoryGraph GetInventoryGraph(IReadOnlyList<string> inventories, string? group = null,
        bool withVars = false, InventoryOptions? inventoryOptions = null, AnsibleCommandOptions? options = null,
        CancellationToken ct = default) =>
        GetInventoryGraphAsync(inventories, group, withVars, inventoryOptions, options, ct).GetAwaiter().GetResult();

    /// <summary>Every setting Ansible knows, with defaults and where each can be set (<c>ansible-config list</c>).</summary>
    public static async Task<IReadOnlyList<ConfigDefinition>> GetConfigListAsync(string? configFile = null,
        AnsibleCommandOptions? options = null, CancellationToken ct = default)
    {
        var args = ConfigArguments("list", configFile);
        args.AddRange(["--format", "json"]);
        var json = await JsonAsync("ansible-config", args, options, ct).ConfigureAwait(false) as JsonObject ?? [];
        return ConfigDefinition.ListFrom(json);
    }

    /// <inheritdoc cref="GetConfigListAsync"/>
    public static IReadOnlyList<ConfigDefinition> GetConfigList(string? configFile = null,
        AnsibleCommandOptions? options = null, CancellationToken ct = default) =>
        GetConfigListAsync(configFile, options, ct).GetAwaiter().GetResult();

    /// <summary>The settings in effect and where each came from (<c>ansible-config dump</c>); with
    /// <paramref name="onlyChanged"/>, only those that differ from the defaults.</summary>
    public static async Task<IReadOnlyList<ConfigSetting>> GetConfigDumpAsync(string? configFile = null,
        bool onlyChanged = false, AnsibleCommandOptions? options = null, CancellationToken ct = default)
    {
        var args = ConfigArguments("dump", configFile);
        if (onlyChanged)
        {
            args.Add("--only-changed");
        }
        args.AddRange(["--format", "json"]);
        var json = await JsonAsync("ansible-config", args, options, ct).ConfigureAwait(false) as JsonArray ?? [];
        return ConfigSetting.ListFrom(json);
    }

    /// <inheritdoc cref="GetConfigDumpAsync"/>
    public static IReadOnlyList<ConfigSetting> GetConfigDump(string? configFile = null, bool onlyChanged = false,
        AnsibleCommandOptions? options = null, CancellationToken ct = default) =>
        GetConfigDumpAsync(configFile, onlyChanged, options, ct).GetAwaiter().GetResult();

    /// <summary>The text of the configuration file in effect, or of <paramref name="configFile"/>
    /// (<c>ansible-config view</c>); throws when there is none.</summary>
    public static async Task<string> GetConfigViewAsync(string? configFile = null, AnsibleCommandOptions? options = null,
        CancellationToken ct = default)
    {
        var args = ConfigArguments("view", configFile);
        return Checked("ansible-config", args, await RunCommandAsync("ansible-config", args, options, ct).ConfigureAwait(false)).Stdout;
    }

    /// <inheritdoc cref="GetConfigViewAsync"/>
    public static string GetConfigView(string? configFile = null, AnsibleCommandOptions? options = null,
        CancellationToken ct = default) =>
        GetConfigViewAsync(configFile, options, ct).GetAwaiter().GetResult();

    private static List<string> DocArguments(string[] first, string? playbookDir, string? modulePath)
    {
        var args = new List<string>(first);
        if (playbookDir is not null)
        {
            args.AddRange(["--playbook-dir", playbookDir]);
        }
        if (modulePath is not null)
        {
            args.AddRange(["-M", modulePath]);
        }
        return args;
    }

    private static List<string> InventoryArguments(string[] action, IReadOnlyList<string> inventories, InventoryOptions? o)
    {
        if (inventories.Count == 0)
        {
            throw new ArgumentException("name at least one inventory", nameof(inventories));
        }
        var args = new List<string>(action);
        foreach (var inv in inventories)
        {
            args.AddRange(["-i", inv]);
        }
        if (o?.PlaybookDir is { } dir)
        {
            args.AddRange(["--playbook-dir", dir]);
        }
        if (o?.VaultId is { } id)
        {
            args.AddRange(["--vault-id", id]);
        }
        if (o?.VaultPasswordFile is { } file)
        {
            args.AddRange(["--vault-password-file", file]);
        }
        return args;
    }

    private static List<string> ConfigArguments(string action, string? configFile)
    {
        var args = new List<string> { action };
        if (configFile is not null)
        {
            args.AddRange(["-c", configFile]);
        }
        return args;
    }

    private static async Task<JsonNode?> JsonAsync(string program, List<string> args, AnsibleCommandOptions? options,
        CancellationToken ct)
    {
        var result = Checked(program, args, await RunCommandAsync(program, args, options, ct).ConfigureAwait(false));
        // Plugins may print warnings before the JSON; it starts at the first line that opens an object or array.
        var text = result.Stdout;
        var start = 0;
        while (start < text.Length && text[start] is not ('{' or '['))
        {
            var next = text.IndexOf('\n', start);
            if (next < 0)
            {
                start = text.Length;
                break;
            }
            start = next + 1;
        }
        try
        {
            return JsonNode.Parse(text.AsSpan(start).ToString());
        }
        catch (JsonException e)
        {
            throw new AnsibleCommandException($"{program} {string.Join(' ', args)} did not print JSON: {e.Message}", result);
        }
    }

    private static AnsibleCommandResult Checked(string program, IEnumerable<string> args, AnsibleCommandResult result)
    {
        if (result.Rc == 0)
        {
            return result;
        }
        var why = result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .LastOrDefault(l => l.StartsWith("ERROR", StringComparison.Ordinal))
            ?? result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault()
            ?? "no message";
        throw new AnsibleCommandException($"{program} {string.Join(' ', args)} failed (rc {result.Rc}): {why}", result);
    }
}

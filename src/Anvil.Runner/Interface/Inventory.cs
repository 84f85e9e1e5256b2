using System.Text.Json.Nodes;

namespace Anvil.Runner.Interface;

/// <summary>The whole inventory, as <c>ansible-inventory --list</c> gives it.</summary>
public sealed record InventoryListing
{
    /// <summary>Every group by name, <c>all</c> and <c>ungrouped</c> included.</summary>
    public required IReadOnlyDictionary<string, InventoryGroup> Groups { get; init; }

    /// <summary>Each host's variables (group variables already merged in, as Ansible resolves them).</summary>
    public required IReadOnlyDictionary<string, JsonObject> HostVars { get; init; }

    /// <summary>Every host, in the order Ansible lists them.</summary>
    public IReadOnlyList<string> Hosts => HostVars.Keys
        .Concat(Groups.Values.SelectMany(g => g.Hosts))
        .Distinct(StringComparer.Ordinal).ToList();

    /// <summary>The hosts of <paramref name="group"/> and of all its child groups.</summary>
    public IReadOnlyList<string> HostsOf(string group)
    {
        var hosts = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        void Walk(string name)
        {
            if (!seen.Add(name) || !Groups.TryGetValue(name, out var g))
            {
                return;
            }
            hosts.AddRange(g.Hosts.Where(h => !hosts.Contains(h)));
            foreach (var child in g.Children)
            {
                Walk(child);
            }
        }
        Walk(group);
        return hosts;
    }

    internal static InventoryListing From(JsonObject root)
    {
        var groups = new Dictionary<string, InventoryGroup>(StringComparer.Ordinal);
        var hostvars = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
        foreach (var (name, node) in root)
        {
            if (name == "_meta")
            {
                foreach (var (host, vars) in node?["hostvars"] as JsonObject ?? [])
                {
                    hostvars[host] = vars as JsonObject is { } o ? (JsonObject)o.DeepClone() : [];
                }
                continue;
            }
            var g = node as JsonObject ?? [];
            groups[name] = new InventoryGroup(name, Json.Lines(g["hosts"]), Json.Lines(g["children"]),
                g["vars"] is JsonObject v ? (JsonObject)v.DeepClone() : []);
        }
        return new InventoryListing { Groups = groups, HostVars = hostvars };
    }
}

/// <summary>A group: its own hosts (not its children's), child groups, and its variables (with
/// <c>--export</c>; otherwise Ansible merges them into each host's).</summary>
public sealed record InventoryGroup(string Name, IReadOnlyList<string> Hosts, IReadOnlyList<string> Children, JsonObject Vars);

/// <summary>One host's variables, as <c>ansible-inventory --host</c> resolves them.</summary>
public sealed record InventoryHost(string Name, JsonObject Vars);

/// <summary>The tree <c>ansible-inventory --graph</c> draws, and its text.</summary>
public sealed record InventoryGraph(InventoryGraphNode Root, string Text)
{
    /// <summary>Reads the drawing: <c>@group:</c> lines are groups, <c>|--</c> marks one level, <c>{k = v}</c>
    /// lines (with <c>--vars</c>) are the variables of the node above them.</summary>
    internal static InventoryGraph Parse(string text)
    {
        var roots = new List<Builder>();
        var stack = new List<Builder>();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.Trim().Length == 0)
            {
                continue;
            }
            var mark = line.LastIndexOf("|--", StringComparison.Ordinal);
            var depth = mark < 0 ? 0 : (mark + 1) / 3;
            var label = mark < 0 ? line.Trim() : line[(mark + 3)..].Trim();
            if (label.StartsWith('{') && label.EndsWith('}'))
            {
                var eq = label.IndexOf(" = ", StringComparison.Ordinal);
                if (depth > 0 && depth - 1 < stack.Count && eq > 0)
                {
                    stack[depth - 1].Vars[label[1..eq]] = label[(eq + 3)..^1];
                }
                continue;
            }
            var isGroup = label.StartsWith('@') && label.EndsWith(':');
            var node = new Builder(isGroup ? label[1..^1] : label, isGroup);
            if (depth == 0 || depth - 1 >= stack.Count)
            {
                roots.Add(node);
                stack.Clear();
                stack.Add(node);
                continue;
            }
            stack[depth - 1].Children.Add(node);
            stack.RemoveRange(depth, stack.Count - depth);
            stack.Add(node);
        }
        var root = roots.Count == 1 ? roots[0].Build() : new InventoryGraphNode("", true, roots.Select(r => r.Build()).ToList(),
            new Dictionary<string, string>());
        return new InventoryGraph(root, text);
    }

    private sealed class Builder(string name, bool isGroup)
    {
        public List<Builder> Children { get; } = [];
        public Dictionary<string, string> Vars { get; } = new(StringComparer.Ordinal);

        public InventoryGraphNode Build() => new(name, isGroup, Children.Select(c => c.Build()).ToList(), Vars);
    }
}

/// <summary>A group (with its children) or a host in the inventory graph; <see cref="Vars"/> as the graph shows
/// them (text), only with <c>--vars</c>.</summary>
public sealed record InventoryGraphNode(string Name, bool IsGroup, IReadOnlyList<InventoryGraphNode> Children,
    IReadOnlyDictionary<string, string> Vars);

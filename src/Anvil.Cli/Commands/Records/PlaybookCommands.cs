using System.CommandLine;
using Anvil.Records.Resources;
using static Anvil.Cli.Commands.Records.Fields;

namespace Anvil.Cli.Commands.Records;

/// <summary><c>anvil records playbook list|show|delete|prune|expire</c>.</summary>
internal static class PlaybookCommands
{
    /// <summary>What <c>--order</c> accepts.</summary>
    public static string OrderFields => ResourceCommands.Orders(RecordsResources.Playbooks);

    /// <summary>The columns of <c>playbook list</c> (and of what prune and expire act on).</summary>
    public static readonly Column[] Columns =
    [
        Id(),
        Status(),
        Text("name", longOnly: true),
        new("path", P("path"), CellKind.Path) { Field = "path" },
        new("labels", Each("labels", "name"), CellKind.List, LongOnly: true) { Field = "labels" },
        Text("controller"),
        Text("user"),
        Text("ansible_version"),
        Number("plays", "items.plays", longOnly: true),
        Number("tasks", "items.tasks"),
        Number("results", "items.results"),
        Number("hosts", "items.hosts"),
        Number("files", "items.files", longOnly: true),
        Number("records", "items.records", longOnly: true),
        Time("started"),
        Time("ended", longOnly: true),
        Duration(),
    ];

    private static readonly Column[] Detail =
    [
        Id(),
        Status(),
        Text("name"),
        new("path", P("path"), CellKind.Path) { Field = "path" },
        new("labels", Each("labels", "name"), CellKind.List) { Field = "labels" },
        Text("controller"),
        Text("user"),
        Text("ansible_version"),
        Text("client_version"),
        Text("python_version"),
        Text("server_version"),
        Number("plays", "items.plays"),
        Number("tasks", "items.tasks"),
        Number("results", "items.results"),
        Number("hosts", "items.hosts"),
        Number("files", "items.files"),
        Number("records", "items.records"),
        Time("started"),
        Time("ended"),
        Duration(),
        Time("created"),
        Time("updated"),
        new("arguments", P("arguments"), CellKind.Json) { Field = "arguments" },
    ];

    public static Command Create() => new("playbook", "Playbook runs: list, show, delete, prune old ones, expire stale ones.")
    {
        ResourceCommands.List(
            new ListSpec(RecordsResources.Playbooks, "List playbook runs, newest first.", Columns, "-started", CanResolve: false),
            Filters("playbooks"), "name, labels, plays, files, records and ended"),
        ResourceCommands.Show("playbook", "playbooks", "Show a playbook run.", Detail),
        ResourceCommands.Delete("playbook", "playbooks", "Delete a playbook run with its plays, tasks, results, hosts, files and records."),
        RetentionCommands.Prune(),
        RetentionCommands.Expire(),
    };

    /// <summary>ARA's playbook filters (<c>playbook list</c> and <c>playbook prune</c> share them), with dashed names
    /// where ARA's have underscores (<c>--ansible-version</c> for <c>ansible_version</c>).</summary>
    public static Filter[] Filters(string verb) => Filter.Of(RecordsResources.Playbooks, verb);
}

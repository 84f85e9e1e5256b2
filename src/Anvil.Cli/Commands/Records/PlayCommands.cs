using System.CommandLine;
using Anvil.Records.Resources;
using static Anvil.Cli.Commands.Records.Fields;

namespace Anvil.Cli.Commands.Records;

/// <summary><c>anvil records play list|show</c>.</summary>
internal static class PlayCommands
{
    private static readonly Column[] Columns =
    [
        Id(),
        Status(),
        Text("name"),
        Text("uuid", longOnly: true),
        Ref("playbook", "playbooks"),
        Number("tasks", "items.tasks"),
        Number("results", "items.results"),
        Time("started"),
        Time("ended", longOnly: true),
        Duration(),
    ];

    private static readonly Column[] Detail =
    [
        Id(),
        Status(),
        Text("name"),
        Text("uuid"),
        Number("playbook", "playbook.id"),
        new("playbook_path", P("playbook.path"), CellKind.Path) { Field = "playbook.path" },
        Number("tasks", "items.tasks"),
        Number("results", "items.results"),
        Time("started"),
        Time("ended"),
        Duration(),
        Time("created"),
        Time("updated"),
    ];

    public static Command Create() => new("play", "Plays of the recorded playbooks.")
    {
        ResourceCommands.List(
            new ListSpec(RecordsResources.Plays, "List plays, newest first.", Columns, "-started"),
            Filter.Of(RecordsResources.Plays, "plays"),
            "the UUID and ended"),
        ResourceCommands.Show("play", "plays", "Show a play.", Detail),
    };
}

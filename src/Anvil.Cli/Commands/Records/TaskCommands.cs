using System.CommandLine;
using Anvil.Records.Resources;
using static Anvil.Cli.Commands.Records.Fields;

namespace Anvil.Cli.Commands.Records;

/// <summary><c>anvil records task list|show</c>.</summary>
internal static class TaskCommands
{
    private static readonly Column[] Columns =
    [
        Id(),
        Status(),
        Text("name"),
        Text("action"),
        Ref("playbook", "playbooks"),
        Ref("play", "plays", longOnly: true),
        new("path", P("path"), CellKind.Path, LongOnly: true) { Field = "path" },
        Number("lineno", longOnly: true),
        Text("handler", longOnly: true),
        new("tags", P("tags"), CellKind.List, LongOnly: true) { Field = "tags" },
        Number("results", "items.results"),
        Time("started"),
        Duration(),
    ];

    private static readonly Column[] Detail =
    [
        Id(),
        Status(),
        Text("name"),
        Text("action"),
        Text("uuid"),
        new("path", P("path"), CellKind.Path) { Field = "path" },
        Number("lineno"),
        Text("handler"),
        new("tags", P("tags"), CellKind.List) { Field = "tags" },
        Number("file", "file.id"),
        Number("play", "play.id"),
        Text("play_name", "play.name"),
        Number("playbook", "playbook.id"),
        new("playbook_path", P("playbook.path"), CellKind.Path) { Field = "playbook.path" },
        Number("results", "items.results"),
        Time("started"),
        Time("ended"),
        Duration(),
        Time("created"),
        Time("updated"),
    ];

    public static Command Create() => new("task", "Tasks of the recorded playbooks.")
    {
        ResourceCommands.List(
            new ListSpec(RecordsResources.Tasks, "List tasks, newest first.", Columns, "-started"),
            Filter.Of(RecordsResources.Tasks, "tasks"),
            "the play, file path, line, handler flag and tags"),
        ResourceCommands.Show("task", "tasks", "Show a task.", Detail),
    };
}

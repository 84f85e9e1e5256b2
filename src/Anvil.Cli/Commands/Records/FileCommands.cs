using System.CommandLine;
using Anvil.Records.Resources;
using static Anvil.Cli.Commands.Records.Fields;

namespace Anvil.Cli.Commands.Records;

/// <summary><c>anvil records file list|show</c>: the playbook and task files recorded with each run (ARA has no
/// CLI for them; the options follow the API's filters).</summary>
internal static class FileCommands
{
    private static readonly Column[] Columns =
    [
        Id(),
        new("path", P("path"), CellKind.Path) { Field = "path" },
        Ref("playbook", "playbooks"),
        Text("sha1", longOnly: true),
        Time("created", longOnly: true),
        Time("updated"),
    ];

    private static readonly Column[] Detail =
    [
        Id(),
        new("path", P("path"), CellKind.Path) { Field = "path" },
        Text("sha1"),
        Number("playbook", "playbook.id"),
        new("playbook_path", P("playbook.path"), CellKind.Path) { Field = "playbook.path" },
        Time("created"),
        Time("updated"),
        Text("content"),
    ];

    public static Command Create() => new("file", "Playbook and task files recorded with the runs.")
    {
        ResourceCommands.List(
            new ListSpec(RecordsResources.Files, "List recorded files, by path.", Columns, "path"),
            Filter.Of(RecordsResources.Files, "files"),
            "the SHA-1 and created"),
        ResourceCommands.Show("file", "files", "Show a recorded file with its content.", Detail),
    };
}

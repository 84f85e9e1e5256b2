using System.CommandLine;
using static Anvil.Cli.Commands.Records.Fields;

namespace Anvil.Cli.Commands.Records;

/// <summary><c>anvil records file list|show</c>: the playbook and task files recorded with each run (ARA has no
/// CLI for them; the options follow the API's filters).</summary>
internal static class FileCommands
{
    private static readonly Column[] Columns =
    [
        Id(),
        new("path", P("path"), CellKind.Path),
        Ref("playbook", "playbooks"),
        Text("sha1", longOnly: true),
        Time("created", longOnly: true),
        Time("updated"),
    ];

    private static readonly Column[] Detail =
    [
        Id(),
        new("path", P("path"), CellKind.Path),
        Text("sha1"),
        Number("playbook", "playbook.id"),
        new("playbook_path", P("playbook.path"), CellKind.Path),
        Time("created"),
        Time("updated"),
        Text("content"),
    ];

    public static Command Create() => new("file", "Playbook and task files recorded with the runs.")
    {
        ResourceCommands.List(
            new ListSpec("file", "files", "List recorded files, by path.", Columns, "path", "id, created, updated or path"),
            [
                Filter.Id("--playbook", "playbook", "files of this playbook"),
                Filter.Text("--path", "path", "files whose path contains this", "PATH"),
            ],
            "the SHA-1 and created"),
        ResourceCommands.Show("file", "files", "Show a recorded file with its content.", Detail),
    };
}

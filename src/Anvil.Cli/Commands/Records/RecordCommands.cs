using System.CommandLine;
using Anvil.Records.Resources;
using static Anvil.Cli.Commands.Records.Fields;

namespace Anvil.Cli.Commands.Records;

/// <summary><c>anvil records record list|show</c>: the key/value records playbooks attach (ARA's <c>ara_record</c>).</summary>
internal static class RecordCommands
{
    private static readonly Column[] Columns =
    [
        Id(),
        Text("key"),
        Text("type"),
        Ref("playbook", "playbooks"),
        Time("created", longOnly: true),
        Time("updated"),
    ];

    private static readonly Column[] Detail =
    [
        Id(),
        Text("key"),
        Text("type"),
        new("value", P("value"), CellKind.Json) { Field = "value" },
        Number("playbook", "playbook.id"),
        new("playbook_path", P("playbook.path"), CellKind.Path) { Field = "playbook.path" },
        Time("created"),
        Time("updated"),
    ];

    public static Command Create() => new("record", "Key/value records attached to playbooks (ara_record).")
    {
        ResourceCommands.List(
            new ListSpec(RecordsResources.Records, "List records, most recently updated first.", Columns, "-updated"),
            Filter.Of(RecordsResources.Records, "records"),
            "created"),
        ResourceCommands.Show("record", "records", "Show a record with its value.", Detail),
    };
}

using System.CommandLine;
using static Anvil.Cli.Commands.Records.Fields;

namespace Anvil.Cli.Commands.Records;

/// <summary><c>anvil records result list|show</c>: one result per host per task.</summary>
internal static class ResultCommands
{
    private static readonly Column[] Columns =
    [
        Id(),
        Status(),
        Ref("playbook", "playbooks"),
        Ref("play", "plays", longOnly: true),
        Ref("task", "tasks"),
        Ref("host", "hosts"),
        new("delegated_to", P("delegated_to"), CellKind.List, LongOnly: true),
        Text("changed", longOnly: true),
        Text("ignore_errors", longOnly: true),
        Time("started"),
        Time("ended", longOnly: true),
        Duration(),
    ];

    private static readonly Column[] Detail =
    [
        Id(),
        Status(),
        Text("changed"),
        Text("ignore_errors"),
        Number("playbook", "playbook.id"),
        new("playbook_path", P("playbook.path"), CellKind.Path),
        Number("play", "play.id"),
        Text("play_name", "play.name"),
        Number("task", "task.id"),
        Text("task_name", "task.name"),
        Text("action", "task.action"),
        new("task_path", P("task.path"), CellKind.Path),
        Number("lineno", "task.lineno"),
        Number("host", "host.id"),
        Text("host_name", "host.name"),
        new("delegated_to", Each("delegated_to", "name"), CellKind.List),
        Time("started"),
        Time("ended"),
        Duration(),
        Time("created"),
        Time("updated"),
    ];

    /// <summary>Statuses as stored; "changed" and "ignored" are shown for ok+changed and failed+ignore_errors.</summary>
    private static readonly string[] Stored = ["ok", "failed", "skipped", "unreachable", "unknown"];

    public static Command Create() => new("result", "Results: one per host per task.")
    {
        ResourceCommands.List(
            new ListSpec("result", "results", "List results, newest first.", Columns, "-started", "id, created, updated, started, ended or duration"),
            [
                Filter.Id("--playbook", "playbook", "results of this playbook"),
                Filter.Id("--play", "play", "results of this play"),
                Filter.Id("--task", "task", "results of this task"),
                Filter.Id("--host", "host", "results of this host (a host id, as host list shows)"),
                StatusFilter(),
                Filter.Flag("--changed", "only changed results", ("changed", "true")),
                Filter.Flag("--ignore-errors", "only results of tasks with ignore_errors", ("ignore_errors", "true")),
            ],
            "the play, delegated hosts, changed, ignore_errors and ended"),
        ResourceCommands.Show("result", "results", "Show a result.", Detail,
            (new Option<bool>("--with-content") { Description = "add what the module returned (best with -f json or -f yaml)" },
                new Column("content", P("content"), CellKind.Json))),
    };

    /// <summary>The API filters on stored statuses; "changed" and "ignored", which it only shows, become the stored
    /// status and flag they stand for.</summary>
    private static Filter StatusFilter()
    {
        var option = new Option<string[]>("--status")
        {
            Description = "only these statuses: ok, failed, skipped, unreachable, unknown (repeatable), or one of changed, ignored",
            HelpName = "STATUS",
        };
        option.AcceptOnlyFromAmong([.. Stored, "changed", "ignored"]);
        return new(option, parse =>
        {
            var statuses = parse.GetValue(option) ?? [];
            if (statuses.Length > 1 && statuses.Any(s => s is "changed" or "ignored"))
            {
                throw new RecordsCliException("--status changed and --status ignored cannot be combined with other statuses");
            }
            return statuses switch
            {
                ["changed"] => [("status", "ok"), ("changed", "true")],
                ["ignored"] => [("status", "failed"), ("ignore_errors", "true")],
                _ => statuses.Select(s => ("status", s)),
            };
        });
    }
}

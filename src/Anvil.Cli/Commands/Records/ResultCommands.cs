using System.CommandLine;
using Anvil.Records.Api;
using Anvil.Records.Resources;
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
        new("delegated_to", P("delegated_to"), CellKind.List, LongOnly: true) { Field = "delegated_to" },
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
        new("playbook_path", P("playbook.path"), CellKind.Path) { Field = "playbook.path" },
        Number("play", "play.id"),
        Text("play_name", "play.name"),
        Number("task", "task.id"),
        Text("task_name", "task.name"),
        Text("action", "task.action"),
        new("task_path", P("task.path"), CellKind.Path) { Field = "task.path" },
        Number("lineno", "task.lineno"),
        Number("host", "host.id"),
        Text("host_name", "host.name"),
        new("delegated_to", Each("delegated_to", "name"), CellKind.List) { Field = "delegated_to" },
        Time("started"),
        Time("ended"),
        Duration(),
        Time("created"),
        Time("updated"),
    ];

    public static Command Create() => new("result", "Results: one per host per task.")
    {
        ResourceCommands.List(
            new ListSpec(RecordsResources.Results, "List results, newest first.", Columns, "-started"),
            Filter.Of(RecordsResources.Results, "results", StatusFilter()),
            "the play, delegated hosts, changed, ignore_errors and ended"),
        ResourceCommands.Show("result", "results", "Show a result.", Detail,
            (new Option<bool>("--with-content") { Description = "add what the module returned (best with -f json or -f yaml)" },
                new Column("content", P("content"), CellKind.Json))),
    };

    /// <summary>The API filters on stored statuses; the ones it only shows (changed, ignored) become the stored
    /// status and flag they stand for (<see cref="ResultStatus.StoredOf"/>).</summary>
    private static Filter StatusFilter()
    {
        var stored = ResultStatus.Stored;
        var shownOnly = ResultStatus.Shown.Where(s => !stored.Contains(s)).ToArray();
        var option = new Option<string[]>("--status")
        {
            Description = $"only these statuses: {string.Join(", ", stored)} (repeatable), or one of {string.Join(", ", shownOnly)}",
            HelpName = "STATUS",
        };
        option.AcceptOnlyFromAmong([.. stored, .. shownOnly]);
        return new(option, parse =>
        {
            var statuses = parse.GetValue(option) ?? [];
            if (statuses.Length > 1 && statuses.Any(shownOnly.Contains))
            {
                throw new RecordsCliException(
                    $"{string.Join(" and ", shownOnly.Select(s => "--status " + s))} cannot be combined with other statuses");
            }
            if (statuses is [var one] && shownOnly.Contains(one) && ResultStatus.StoredOf(one) is { } x)
            {
                List<(string, string)> query = [("status", x.Stored)];
                if (x.Changed is { } changed)
                {
                    query.Add(("changed", changed ? "true" : "false"));
                }
                if (x.IgnoreErrors is { } ignore)
                {
                    query.Add(("ignore_errors", ignore ? "true" : "false"));
                }
                return query;
            }
            return statuses.Select(s => ("status", s));
        })
        { Replaces = ["status"], Sends = ["status", "changed", "ignore_errors"] };
    }
}

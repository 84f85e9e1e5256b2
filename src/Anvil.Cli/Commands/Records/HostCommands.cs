using System.CommandLine;
using System.Text.Json;
using Anvil.Records.Resources;
using static Anvil.Cli.Commands.Records.Fields;

namespace Anvil.Cli.Commands.Records;

/// <summary><c>anvil records host list|show|metrics</c>: one host row per host per playbook, with its recap counters.</summary>
internal static class HostCommands
{
    private static readonly Column[] Columns =
    [
        Id(),
        Text("name"),
        Ref("playbook", "playbooks"),
        Number("ok"),
        Number("changed"),
        Number("failed"),
        Number("skipped"),
        Number("unreachable"),
        Time("created", longOnly: true),
        Time("updated"),
    ];

    private static readonly Column[] Detail =
    [
        Id(),
        Text("name"),
        Number("playbook", "playbook.id"),
        new("playbook_path", P("playbook.path"), CellKind.Path) { Field = "playbook.path" },
        Number("ok"),
        Number("changed"),
        Number("failed"),
        Number("skipped"),
        Number("unreachable"),
        Time("created"),
        Time("updated"),
    ];

    public static Command Create()
    {
        var latest = new Option<bool>("--latest") { Description = "only the most recent host row of each host name" };
        var filters = Filters("hosts");
        var latestFilter = new Filter(latest, _ => []) { Shortcut = true };
        return new Command("host", "Hosts of the recorded playbooks, with their recap counters.")
        {
            ResourceCommands.List(
                new ListSpec(RecordsResources.Hosts, "List hosts, most recently updated first.", Columns, "-updated"),
                [.. filters, latestFilter], "created",
                parse => parse.GetValue(latest) ? ("/api/v1/latesthosts", FromLatest) : ("/api/v1/hosts", null)),
            ResourceCommands.Show("host", "hosts", "Show a host.", Detail,
                (new Option<bool>("--with-facts") { Description = "add the host's facts (best with -f json or -f yaml)" },
                    new Column("facts", P("facts"), CellKind.Json))),
            Metrics(),
        };
    }

    /// <summary>ARA's host filters, and shortcuts to with/without changed, failed or unreachable results.</summary>
    private static Filter[] Filters(string what) =>
    [
        .. Filter.Of(RecordsResources.Hosts, what),
        Filter.Flag("--with-changed", $"{what} with changed results", ("changed__gt", "0")),
        Filter.Flag("--without-changed", $"{what} without changed results", ("changed__lt", "1")),
        Filter.Flag("--with-failed", $"{what} with failed results", ("failed__gt", "0")),
        Filter.Flag("--without-failed", $"{what} without failed results", ("failed__lt", "1")),
        Filter.Flag("--with-unreachable", $"{what} with unreachable results", ("unreachable__gt", "0")),
        Filter.Flag("--without-unreachable", $"{what} without unreachable results", ("unreachable__lt", "1")),
    ];

    /// <summary>A latest-host entry (<c>{name, host: {…}, created, updated}</c>) in the shape of a host list item.</summary>
    private static JsonElement FromLatest(JsonElement latest)
    {
        var host = P("host")(latest);
        var pairs = new List<(string, JsonElement)>
        {
            ("id", P("id")(host)),
            ("playbook", P("playbook.id")(host)),
            ("created", P("created")(host)),
            ("updated", P("updated")(host)),
            ("name", P("name")(host)),
        };
        pairs.AddRange(RecordsResources.HostCounters.Select(c => (c, P(c)(host))));
        return RecordsOutput.Object(pairs);
    }

    /// <summary><c>host metrics</c>: the host rows that match, added up per host name.</summary>
    private static Command Metrics()
    {
        var filters = Filters("count hosts");
        var order = ResourceCommands.OrderOption("-updated", ResourceCommands.Orders(RecordsResources.Hosts) + " (which rows are read first)");
        var limit = ResourceCommands.LimitOption(1000, "read at most N host rows");
        var format = RecordsOutput.FormatOption();
        var connection = new RecordsConnection();
        var command = new Command("metrics", "Per host name: in how many playbooks it ran and its counters added up.");
        foreach (var o in filters.Select(f => f.Option).Concat([order, limit, format]))
        {
            command.Options.Add(o);
        }
        connection.AddTo(command);
        GroupedHelp.Apply(command, "anvil records host metrics [filters] [--order ORDER] [--limit N] [-f FORMAT] [--server URL | --database CONN]",
            ("Filters", filters.Select(f => f.Option).ToArray()),
            ("Output", [order, limit, format]),
            ("Connection", connection.Options));
        var columns = new Column[]
        {
            Text("name"), Number("playbooks"), Number("ok"), Number("changed"), Number("failed"), Number("skipped"),
            Number("unreachable"), Time("updated"),
        };
        // The counter columns, in the order they are shown (the recap's: ok first).
        var counters = columns[2..^1].Select(c => c.Name).ToArray();
        connection.SetAction(command, async s =>
        {
            var query = ResourceCommands.Query(s.Parse, filters);
            query.Add(("order", s.Parse.GetValue(order)!));
            var (items, _) = await s.ListAsync("/api/v1/hosts", query, s.Parse.GetValue(limit));
            var rows = items
                .GroupBy(h => P("name")(h).GetString() ?? "", StringComparer.Ordinal)
                .OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => new[]
                {
                    RecordsOutput.Value(g.Key),
                    RecordsOutput.Value(g.Select(h => P("playbook")(h).GetInt64()).Distinct().Count()),
                }
                .Concat(counters.Select(c => RecordsOutput.Value(g.Sum(h => P(c)(h).GetInt64()))))
                .Append(g.Select(h => P("updated")(h)).MaxBy(u => u.GetString(), StringComparer.Ordinal))
                .ToArray())
                .ToList();
            RecordsOutput.WriteList(s.Output, s.Parse.GetValue(format)!,
                new Listing(columns, rows, $"{rows.Count} {ResourceCommands.Plural("host", rows.Count)} from {items.Count} host {(items.Count == 1 ? "row" : "rows")}"),
                longMode: false);
            return 0;
        });
        return command;
    }
}

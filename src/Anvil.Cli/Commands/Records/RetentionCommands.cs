using System.CommandLine;
using System.Text.Json;
using Anvil.Client;
using Anvil.Data;
using Spectre.Console;
using static Anvil.Cli.Commands.Records.Fields;

namespace Anvil.Cli.Commands.Records;

/// <summary>
/// <c>playbook prune</c> and <c>playbook expire</c>, as ARA's CLI does them: through the API (one DELETE or PATCH per
/// object), so they work the same on the local database and against a server; a dry run unless <c>--confirm</c>.
/// The server can do both on a schedule (<c>Records:PruneDays</c>, <c>Records:ExpireRunningAfter</c>).
/// </summary>
internal static class RetentionCommands
{
    public static Command Prune(string usagePath = "playbook prune")
    {
        var days = new Option<int>("--days")
        {
            Description = "delete playbooks started more than N days ago (default: 31)",
            HelpName = "N",
            DefaultValueFactory = _ => 31,
        };
        days.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is < 0 or > 36500)
            {
                r.AddError("--days must be between 0 and 36500");
            }
        });
        var filters = PlaybookCommands.Filters("only playbooks");
        var order = ResourceCommands.OrderOption("started", PlaybookCommands.OrderFields + " (the first ones go)");
        var limit = ResourceCommands.LimitOption(200, "delete at most N playbooks per run");
        var confirm = new Option<bool>("--confirm") { Description = "really delete them (without it: only list what would go)" };
        var longOption = ResourceCommands.LongOption("more columns");
        var format = RecordsOutput.FormatOption();
        var connection = new RecordsConnection();
        var command = new Command("prune", "Delete playbooks older than --days (a dry run unless --confirm).");
        foreach (var o in new Option[] { days }.Concat(filters.Select(f => f.Option)).Concat([order, limit, confirm, longOption, format]))
        {
            command.Options.Add(o);
        }
        connection.AddTo(command);
        GroupedHelp.Apply(command, $"anvil records {usagePath} [--days N] [filters] [--confirm] [--order ORDER] [--limit N] [-f FORMAT] [--server URL | --database CONN]",
            ("What to delete", [days, .. filters.Select(f => f.Option), order, limit, confirm]),
            ("Output", [longOption, format]),
            ("Connection", connection.Options));
        connection.SetAction(command, async s =>
        {
            var cutoff = Clock.ToMicros(TimeProvider.System.GetUtcNow()) - s.Parse.GetValue(days) * 86_400_000_000L;
            var query = ResourceCommands.Query(s.Parse, filters);
            query.Add(("started_before", Clock.Format(cutoff)));
            query.Add(("order", s.Parse.GetValue(order)!));
            var (items, count) = await s.ListAsync("/api/v1/playbooks", query, s.Parse.GetValue(limit));
            var doIt = s.Parse.GetValue(confirm);
            if (doIt)
            {
                await WithProgressAsync(s.Output, "Deleting playbooks", items, async playbook =>
                {
                    try
                    {
                        await s.Client.SendAsync("DELETE", $"/api/v1/playbooks/{RecordsSession.Text(playbook.GetProperty("id").GetInt64())}", [], null, s.Ct);
                    }
                    catch (RecordsApiException e) when (e.Status == 404)
                    {
                        // Someone else deleted it meanwhile: it is gone either way.
                    }
                });
            }
            var longMode = s.Parse.GetValue(longOption);
            var columns = PlaybookCommands.Columns.Where(c => longMode || !c.LongOnly).ToList();
            var before = Clock.Format(cutoff);
            var footer = doIt
                ? $"Deleted {items.Count} {ResourceCommands.Plural("playbook", items.Count)} started before {before}."
                : $"Dry run: {items.Count} {ResourceCommands.Plural("playbook", items.Count)} started before {before} would be deleted; add --confirm to delete them.";
            if (count > items.Count)
            {
                footer += $" {count - items.Count} more match (--limit {s.Parse.GetValue(limit)}).";
            }
            RecordsOutput.WriteList(s.Output, s.Parse.GetValue(format)!,
                new Listing(columns, items.Select(i => columns.Select(c => c.Value(i)).ToArray()).ToList(), footer), longMode);
            return 0;
        });
        return command;
    }

    public static Command Expire(string usagePath = "playbook expire")
    {
        var hours = new Option<int>("--hours")
        {
            Description = "expire running playbooks with no activity for N hours (default: 24)",
            HelpName = "N",
            DefaultValueFactory = _ => 24,
        };
        hours.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is < 0 or > 876_000)
            {
                r.AddError("--hours must be between 0 and 876000");
            }
        });
        var order = ResourceCommands.OrderOption("started", "id, created, updated, started or ended (the first ones go)");
        var limit = ResourceCommands.LimitOption(200, "expire at most N playbooks per run");
        var confirm = new Option<bool>("--confirm") { Description = "really expire them (without it: only list what would be expired)" };
        var format = RecordsOutput.FormatOption();
        var connection = new RecordsConnection();
        var command = new Command("expire",
            "Mark as expired the playbooks left running with no activity for --hours, and their running plays and tasks " +
            "(a dry run unless --confirm).");
        foreach (var o in new Option[] { hours, order, limit, confirm, format })
        {
            command.Options.Add(o);
        }
        connection.AddTo(command);
        GroupedHelp.Apply(command, $"anvil records {usagePath} [--hours N] [--confirm] [--order ORDER] [--limit N] [-f FORMAT] [--server URL | --database CONN]",
            ("What to expire", [hours, order, limit, confirm]),
            ("Output", [format]),
            ("Connection", connection.Options));
        Column[] columns =
        [
            Id(), Status(), new("path", P("path"), CellKind.Path) { Field = "path" }, Time("started"), Time("updated"), Number("plays"), Number("tasks"),
        ];
        connection.SetAction(command, async s =>
        {
            var since = Clock.Format(Clock.ToMicros(TimeProvider.System.GetUtcNow()) - s.Parse.GetValue(hours) * 3_600_000_000L);
            var (candidates, _) = await s.ListAsync("/api/v1/playbooks",
                [("status", "running"), ("updated_before", since), ("order", s.Parse.GetValue(order)!)], s.Parse.GetValue(limit));
            var doIt = s.Parse.GetValue(confirm);
            var stale = new List<JsonElement>();
            var counts = new Dictionary<long, (int Plays, int Tasks)>();
            await WithProgressAsync(s.Output, doIt ? "Expiring playbooks" : "Checking playbooks", candidates, async playbook =>
            {
                var id = playbook.GetProperty("id").GetInt64();
                // The playbook row only changes at a run's start and end: a run still working shows in its tasks and results.
                if (await s.CountAsync("/api/v1/tasks", [("playbook", RecordsSession.Text(id)), ("updated_after", since)]) > 0 ||
                    await s.CountAsync("/api/v1/results", [("playbook", RecordsSession.Text(id)), ("started_after", since), ("order", "-started")]) > 0)
                {
                    return;
                }
                stale.Add(playbook);
                counts[id] = doIt ? await ExpireAsync(s, id) : await RunningChildrenAsync(s, id);
            });
            var rows = stale.Select(p =>
            {
                var (plays, tasks) = counts[p.GetProperty("id").GetInt64()];
                return columns.Select(c => c.Name switch
                {
                    "status" => RecordsOutput.Value(doIt ? "expired" : "running"),
                    "plays" => RecordsOutput.Value(plays),
                    "tasks" => RecordsOutput.Value(tasks),
                    _ => c.Value(p),
                }).ToArray();
            }).ToList();
            var (allPlays, allTasks) = (counts.Values.Sum(c => c.Plays), counts.Values.Sum(c => c.Tasks));
            var what = $"{stale.Count} running {ResourceCommands.Plural("playbook", stale.Count)} idle since {since} " +
                       $"({allPlays} {ResourceCommands.Plural("play", allPlays)}, {allTasks} {ResourceCommands.Plural("task", allTasks)})";
            var footer = doIt ? $"Expired {what}." : $"Dry run: would expire {what}; add --confirm to expire them.";
            RecordsOutput.WriteList(s.Output, s.Parse.GetValue(format)!, new Listing(columns, rows, footer), longMode: false);
            return 0;
        });
        return command;
    }

    /// <summary>Expires a playbook, then its running plays and tasks; returns how many plays and tasks changed.</summary>
    private static async Task<(int Plays, int Tasks)> ExpireAsync(RecordsSession s, long id)
    {
        const string body = "{\"status\":\"expired\"}";
        await s.Client.SendAsync("PATCH", $"/api/v1/playbooks/{RecordsSession.Text(id)}", [], body, s.Ct);
        var counts = new int[2];
        foreach (var (resource, i) in new[] { ("plays", 0), ("tasks", 1) })
        {
            // All of them first: each PATCH takes one out of the "running" filter, which would shift later pages.
            var (running, _) = await s.ListAsync($"/api/v1/{resource}",
                [("playbook", RecordsSession.Text(id)), ("status", "running"), ("order", "id")], int.MaxValue);
            foreach (var child in running)
            {
                await s.Client.SendAsync("PATCH", $"/api/v1/{resource}/{RecordsSession.Text(child.GetProperty("id").GetInt64())}", [], body, s.Ct);
            }
            counts[i] = running.Count;
        }
        return (counts[0], counts[1]);
    }

    private static async Task<(int Plays, int Tasks)> RunningChildrenAsync(RecordsSession s, long id)
    {
        var playbook = RecordsSession.Text(id);
        var plays = await s.CountAsync("/api/v1/plays", [("playbook", playbook), ("status", "running")]);
        var tasks = await s.CountAsync("/api/v1/tasks", [("playbook", playbook), ("status", "running")]);
        return ((int)plays, (int)tasks);
    }

    /// <summary>Runs <paramref name="work"/> on each item, with a progress bar when <paramref name="output"/> is a
    /// terminal and there is more than one item; silently otherwise (a pipe gets only the result).</summary>
    private static async Task WithProgressAsync(TextWriter output, string title, IReadOnlyList<JsonElement> items, Func<JsonElement, Task> work)
    {
        if (items.Count < 2 || !RecordsOutput.IsTerminal(output))
        {
            foreach (var item in items)
            {
                await work(item);
            }
            return;
        }
        await RecordsOutput.Console(output, fitTerminal: true).Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .StartAsync(async ctx =>
            {
                var task = ctx.AddTask(title, maxValue: items.Count);
                foreach (var item in items)
                {
                    await work(item);
                    task.Increment(1);
                }
            });
    }
}

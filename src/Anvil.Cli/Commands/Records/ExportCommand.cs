using System.CommandLine;
using Anvil.Server.Ui.Export;
using Spectre.Console;

namespace Anvil.Cli.Commands.Records;

/// <summary>
/// <c>anvil records export html DIR</c>: a static copy of the web UI for the selected playbooks, browsable from the
/// file system (as <c>ara-manage generate</c>). Registered under <c>anvil records</c> by that group's command.
/// </summary>
internal static class RecordsExportCommand
{
    public static Command Create()
    {
        var directory = new Argument<string>("dir") { Description = "the directory to write (created; an earlier export there is replaced)" };
        var playbooks = new Option<long[]>("--playbook")
        {
            Description = "export this playbook (repeatable; default: every playbook the filters select)",
            HelpName = "ID",
            AllowMultipleArgumentsPerToken = true,
        };
        var status = new Option<string[]>("--status")
        {
            Description = "only playbooks with this status: running, completed, failed, expired, unknown (repeatable)",
            HelpName = "STATUS",
        };
        var label = new Option<string?>("--label") { Description = "only playbooks with this label", HelpName = "LABEL" };
        var name = new Option<string?>("--name") { Description = "only playbooks whose name contains this", HelpName = "TEXT" };
        var path = new Option<string?>("--path") { Description = "only playbooks whose path contains this", HelpName = "TEXT" };
        var since = new Option<double?>("--since") { Description = "only playbooks started in the last DAYS days", HelpName = "DAYS" };
        var database = RecordsDatabaseOption.Create();
        var html = new Command("html", "Write the web UI's pages for the selected playbooks as a static site (index.html, " +
            "playbooks/, results/, hosts/, files/, assets/) that opens from the file system.")
        {
            directory, playbooks, status, label, name, path, since, database,
        };
        GroupedHelp.Apply(html,
            "anvil records export html DIR [--playbook ID]... [--status STATUS]... [--label LABEL] [--name TEXT] [--path TEXT] [--since DAYS] [--database CONN]",
            ("Selection", [playbooks, status, label, name, path, since]), ("Options", [database]));
        html.SetAction(async (parse, ct) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            if (parse.GetValue(since) is { } days && (days <= 0 || !double.IsFinite(days)))
            {
                await error.WriteLineAsync("anvil: error: --since takes a number of days above 0");
                return AnvilCommandLine.InputError;
            }
            var selection = new ExportSelection
            {
                PlaybookIds = parse.GetValue(playbooks) ?? [],
                Statuses = parse.GetValue(status) ?? [],
                Label = parse.GetValue(label),
                Name = parse.GetValue(name),
                Path = parse.GetValue(path),
                SinceDays = parse.GetValue(since),
            };
            var dir = parse.GetValue(directory)!;
            try
            {
                var summary = await ExportAsync(parse.GetValue(database), dir, selection, output, ct);
                await output.WriteLineAsync(
                    $"Exported {summary.Playbooks} playbook{(summary.Playbooks == 1 ? "" : "s")} ({summary.Pages} pages) to {summary.Directory}");
                await output.WriteLineAsync($"Open {Path.Combine(summary.Directory, "index.html")}");
                return 0;
            }
            catch (ExportException e)
            {
                await error.WriteLineAsync($"anvil: error: {e.Message}");
            }
            catch (Exception e) when (RecordsDatabaseOption.IsDatabaseProblem(e))
            {
                await error.WriteLineAsync($"anvil: error: cannot export: {e.Message}");
            }
            return AnvilCommandLine.InputError;
        });
        return new Command("export", "Export records.") { html };
    }

    /// <summary>Exports, with a progress bar when writing to a terminal.</summary>
    private static async Task<ExportSummary> ExportAsync(string? database, string dir, ExportSelection selection, TextWriter output,
        CancellationToken ct)
    {
        var terminal = ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected;
        if (!terminal)
        {
            return await StaticSiteExporter.ExportAsync(database, dir, selection, null, ct);
        }
        ExportSummary? summary = null;
        await AnsiConsole.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask("Exporting playbooks", maxValue: 1);
                summary = await StaticSiteExporter.ExportAsync(database, dir, selection, new Bar(task), ct);
            });
        return summary!;
    }

    /// <summary>Moves the bar as playbooks are done (called from the exporter's thread; the bar is thread-safe).</summary>
    private sealed class Bar(ProgressTask task) : IProgress<ExportProgress>
    {
        public void Report(ExportProgress value)
        {
            task.MaxValue = Math.Max(1, value.Total);
            task.Value = value.Done;
        }
    }
}

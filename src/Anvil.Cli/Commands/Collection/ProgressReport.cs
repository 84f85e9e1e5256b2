using Anvil.Cli.Commands.Records;
using Anvil.Galaxy.Installing;
using Spectre.Console;

namespace Anvil.Cli.Commands.Collection;

/// <summary>
/// Shows what an install or download is doing: on a terminal, live progress bars (resolution, then one line per
/// collection with the bytes downloaded and its state); otherwise ansible-galaxy's lines (Installing '…' to '…',
/// … was installed successfully), so that logs and scripts see the familiar text.
/// </summary>
internal static class ProgressReport
{
    public static async Task<T> RunAsync<T>(TextWriter output, TextWriter error, Func<Action<CollectionEvent>, Task<T>> work)
    {
        var verbose = Verbosity.Get() > 0;
        if (!RecordsOutput.IsTerminal(output))
        {
            var gate = new Lock();
            return await work(e =>
            {
                lock (gate)
                {
                    switch (e.Kind)
                    {
                        case CollectionEventKind.Warning:
                            CollectionCli.Warn(error, e.Message);
                            break;
                        case CollectionEventKind.Info or CollectionEventKind.Resolving or CollectionEventKind.Installing or CollectionEventKind.Installed:
                            output.WriteLine(e.Message);
                            break;
                        case CollectionEventKind.Downloading when verbose && e.Message.Length > 0:
                        case CollectionEventKind.Resolved when verbose:
                            output.WriteLine(e.Message);
                            break;
                    }
                }
            });
        }
        var console = RecordsOutput.Console(output, fitTerminal: true);
        return await console.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new SpinnerColumn(), new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn())
            .StartAsync(async ctx =>
            {
                var tasks = new Dictionary<string, ProgressTask>();
                var gate = new Lock();
                ProgressTask? resolving = null;
                ProgressTask Task(string subject)
                {
                    if (!tasks.TryGetValue(subject, out var t))
                    {
                        t = ctx.AddTask(Markup.Escape(subject), maxValue: 1);
                        t.IsIndeterminate = true;
                        tasks[subject] = t;
                    }
                    return t;
                }
                return await work(e =>
                {
                    lock (gate)
                    {
                        switch (e.Kind)
                        {
                            case CollectionEventKind.Resolving:
                                resolving = ctx.AddTask("Resolving dependencies", maxValue: 1);
                                resolving.IsIndeterminate = true;
                                break;
                            case CollectionEventKind.Resolved when resolving is not null:
                                resolving.Description = Markup.Escape(e.Message);
                                resolving.IsIndeterminate = false;
                                resolving.Value = 1;
                                break;
                            case CollectionEventKind.Downloading when e.Subject is not null:
                                Task(e.Subject).Description = Markup.Escape($"{e.Subject}  downloading {Size(e.Bytes)}");
                                break;
                            case CollectionEventKind.Downloaded when e.Subject is not null:
                                Task(e.Subject).Description = Markup.Escape($"{e.Subject}  downloaded {Size(e.Bytes)}");
                                break;
                            case CollectionEventKind.Installing when e.Subject is not null:
                                Task(e.Subject).Description = Markup.Escape($"{e.Subject}  installing");
                                break;
                            case CollectionEventKind.Installed when e.Subject is not null:
                                var t = Task(e.Subject);
                                t.Description = Markup.Escape($"{e.Subject}  installed");
                                t.IsIndeterminate = false;
                                t.Value = 1;
                                break;
                            case CollectionEventKind.Warning:
                                console.MarkupLine($"[yellow]warning:[/] {Markup.Escape(e.Message)}");
                                break;
                            case CollectionEventKind.Info:
                                console.WriteLine(e.Message);
                                break;
                        }
                    }
                });
            });
    }

    private static string Size(long bytes) => bytes switch
    {
        < 1024 => $"{bytes} B",
        < 1024 * 1024 => $"{bytes / 1024.0:0.0} KiB",
        _ => $"{bytes / (1024.0 * 1024):0.0} MiB",
    };
}

using System.CommandLine;
using Anvil.Runner;

namespace Anvil.Cli.Commands;

/// <summary><c>anvil stop PRIVATE_DATA_DIR [-i IDENT] [run options]</c>: ends a run started with <c>anvil start</c>,
/// Ansible and everything it started included, and the run's artifacts get <c>status</c> <c>canceled</c> and
/// <c>rc</c> (ansible-runner's stop leaves ansible-playbook running and writes neither). It takes the options of
/// <c>run</c>, as ansible-runner's does; <c>-i</c> makes sure the run stopped is that one.</summary>
internal static class StopCommand
{
    /// <summary>Time for the runner to end the job and finish its artifacts and records before it is killed.</summary>
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(45);

    public static Command Create()
    {
        var set = new RunOptionSet();
        var command = new Command("stop", "End a run started with 'anvil start': the whole job, with status canceled.");
        set.AddAcceptedTo(command, "anvil stop PRIVATE_DATA_DIR [-i IDENT]");
        command.SetAction(async (parse, ct) =>
        {
            var error = parse.InvocationConfiguration.Error;
            var dir = Path.GetFullPath(parse.GetValue(set.PrivateDataDir)!);
            var live = BackgroundRun.Live(dir);
            var pid = live?.Pid;
            if (live is not null && live.IsOtherThan(set.Ident(parse)))
            {
                return RunCommand.Fail(error,
                    $"{Path.Combine(dir, BackgroundRun.PidFileName)}: the run going from this private data dir is '{live.Ident}', not '{set.Ident(parse)}'; nothing was stopped");
            }
            switch (await BackgroundRun.StopAsync(dir, Grace, ct: ct))
            {
                case StopOutcome.NotRunning:
                    return RunCommand.Fail(error,
                        $"{Path.Combine(dir, BackgroundRun.PidFileName)}: no run is going from this private data dir");
                case StopOutcome.Killed:
                    await error.WriteLineAsync(
                        $"anvil: warning: the runner (pid {pid}) did not end within {Grace.TotalSeconds:0} s; it and its " +
                        "jobs were killed, so the artifacts have no status");
                    return 0;
                default:
                    await parse.InvocationConfiguration.Output.WriteLineAsync($"Stopped the run (pid {pid}): status canceled");
                    return 0;
            }
        });
        return command;
    }
}

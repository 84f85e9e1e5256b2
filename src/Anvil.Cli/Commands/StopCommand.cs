using System.CommandLine;
using Anvil.Runner;

namespace Anvil.Cli.Commands;

/// <summary><c>anvil stop PRIVATE_DATA_DIR</c>: ends a run started with <c>anvil start</c>, Ansible and everything
/// it started included, and the run's artifacts get <c>status</c> <c>canceled</c> and <c>rc</c> (ansible-runner's
/// stop leaves ansible-playbook running and writes neither).</summary>
internal static class StopCommand
{
    /// <summary>Time for the runner to end the job and finish its artifacts and records before it is killed.</summary>
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(45);

    public static Command Create()
    {
        var pdd = new Argument<string>("private_data_dir") { Description = "the private data dir the run was started from" };
        var command = new Command("stop", "End a run started with 'anvil start': the whole job, with status canceled.") { pdd };
        GroupedHelp.Apply(command, "anvil stop PRIVATE_DATA_DIR");
        command.SetAction(async (parse, ct) =>
        {
            var dir = Path.GetFullPath(parse.GetValue(pdd)!);
            var pid = BackgroundRun.LivePid(dir);
            switch (await BackgroundRun.StopAsync(dir, Grace, ct))
            {
                case StopOutcome.NotRunning:
                    return RunCommand.Fail(parse.InvocationConfiguration.Error,
                        $"{Path.Combine(dir, BackgroundRun.PidFileName)}: no run is going from this private data dir");
                case StopOutcome.Killed:
                    await parse.InvocationConfiguration.Error.WriteLineAsync(
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

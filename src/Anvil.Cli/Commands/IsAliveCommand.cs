using System.CommandLine;
using Anvil.Runner;

namespace Anvil.Cli.Commands;

/// <summary><c>anvil is-alive PRIVATE_DATA_DIR</c>: exit code 0 while a run started with <c>anvil start</c> runs,
/// 1 otherwise; prints nothing, as ansible-runner's.</summary>
internal static class IsAliveCommand
{
    public static Command Create()
    {
        var pdd = new Argument<string>("private_data_dir") { Description = "the private data dir the run was started from" };
        var command = new Command("is-alive", "Exit 0 while a run started with 'anvil start' runs, 1 when not.") { pdd };
        GroupedHelp.Apply(command, "anvil is-alive PRIVATE_DATA_DIR");
        command.SetAction(parse => BackgroundRun.IsAlive(parse.GetValue(pdd)!) ? 0 : 1);
        return command;
    }
}

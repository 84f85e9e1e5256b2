using System.CommandLine;
using Anvil.Runner;

namespace Anvil.Cli.Commands;

/// <summary><c>anvil is-alive PRIVATE_DATA_DIR [-i IDENT] [run options]</c>: exit code 0 while a run started with
/// <c>anvil start</c> runs, 1 otherwise; prints nothing, as ansible-runner's, and takes the options of <c>run</c> as
/// it does. With <c>-i</c>, 0 only while the run going is that one.</summary>
internal static class IsAliveCommand
{
    public static Command Create()
    {
        var set = new RunOptionSet();
        var command = new Command("is-alive", "Exit 0 while a run started with 'anvil start' runs, 1 when not.");
        set.AddAcceptedTo(command, "anvil is-alive PRIVATE_DATA_DIR [-i IDENT]");
        command.SetAction(parse =>
        {
            var live = BackgroundRun.Live(parse.GetValue(set.PrivateDataDir)!);
            return live is null || live.IsOtherThan(set.Ident(parse)) ? 1 : 0;
        });
        return command;
    }
}

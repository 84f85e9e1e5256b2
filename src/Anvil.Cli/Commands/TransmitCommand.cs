using System.CommandLine;
using Anvil.Runner;
using Anvil.Runner.Inputs;
using Anvil.Runner.Streaming;

namespace Anvil.Cli.Commands;

/// <summary><c>anvil transmit PRIVATE_DATA_DIR -p PLAYBOOK</c>: ansible-runner's <c>transmit</c>, the job as a
/// stream on standard output for <c>anvil worker</c> or <c>ansible-runner worker</c>.</summary>
internal static class TransmitCommand
{
    public static Command Create()
    {
        var set = new RunOptionSet();
        var command = new Command("transmit", "Write a job (its options and the private data dir, without earlier " +
                                              "artifacts) to standard output as a stream for 'anvil worker' or " +
                                              "'ansible-runner worker'.");
        set.AddTo(command, "anvil transmit PRIVATE_DATA_DIR (-p PLAYBOOK | -m MODULE) [options] | anvil worker | anvil process DIR");
        command.SetAction(async (parse, ct) =>
        {
            var error = parse.InvocationConfiguration.Error;
            try
            {
                var options = set.Read(parse);
                if (options.Settings is { ResourceProfiling: true })
                {
                    return RunCommand.Fail(error, "--resource-profiling cannot be transmitted (ansible-runner 2.3.1 has no profiling)");
                }
                await using var stdout = Console.OpenStandardOutput();
                var result = await AnsibleRunner.StreamAsync(options with
                {
                    Streaming = new StreamingOptions { Mode = StreamMode.Transmit, Output = stdout },
                }, ct);
                return result.Rc;
            }
            catch (RunnerInputException e)
            {
                return RunCommand.Fail(error, e.Message);
            }
            catch (IOException e)
            {
                return RunCommand.Fail(error, $"cannot read the private data dir: {e.Message}");
            }
        });
        return command;
    }
}

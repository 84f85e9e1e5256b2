using System.CommandLine;
using System.Globalization;
using System.Runtime.InteropServices;
using Anvil.Runner;
using Anvil.Runner.Streaming;

namespace Anvil.Cli.Commands;

/// <summary><c>anvil worker</c>: ansible-runner's <c>worker</c>: a job stream on standard input, run here, its
/// result stream on standard output; the exit code is the job's rc.</summary>
internal static class WorkerCommand
{
    public static Command Create()
    {
        var pdd = new Option<string?>("--private-data-dir")
        {
            Description = "where the job is unpacked and run (default: a temporary directory, removed after)",
            HelpName = "DIR",
        };
        var info = new Option<bool>("--worker-info")
        { Description = "print this node's CPU count, memory, runner version and id (YAML) and exit" };
        var delete = new Option<bool>("--delete")
        { Description = "remove --private-data-dir before unpacking into it and again when the job is over" };
        var keepalive = new Option<int?>("--keepalive-seconds")
        {
            Description = "write a keepalive line after N idle seconds, 0: never (env ANSIBLE_RUNNER_KEEPALIVE_SECONDS)",
            HelpName = "N",
        };
        var command = new Command("worker", "Run a job read as a stream on standard input (from 'anvil transmit' or " +
                                            "'ansible-runner transmit') and write its events and artifacts as a " +
                                            "stream on standard output; the exit code is the job's rc. 'anvil worker cleanup' " +
                                            "removes the directories and images of earlier jobs.")
        {
            pdd, info, delete, keepalive,
        };
        command.Subcommands.Add(WorkerCleanupCommand.Create());
        GroupedHelp.Apply(command, "anvil transmit … | anvil worker [--private-data-dir DIR] [--delete] [--keepalive-seconds N] | anvil process DIR",
            ("Worker options", [pdd, info, delete, keepalive]));
        command.SetAction(async (parse, ct) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            if (parse.GetValue(info))
            {
                await output.WriteAsync(WorkerInfo.Describe());
                return 0;
            }
            var seconds = parse.GetValue(keepalive);
            if (seconds is null && RunOptionSet.EnvOrNull("ANSIBLE_RUNNER_KEEPALIVE_SECONDS") is { } env)
            {
                if (!int.TryParse(env, NumberStyles.Integer, CultureInfo.InvariantCulture, out var s))
                {
                    return RunCommand.Fail(error, $"ANSIBLE_RUNNER_KEEPALIVE_SECONDS must be a whole number of seconds, got '{env}'");
                }
                seconds = s;
            }
            if (seconds < 0)
            {
                return RunCommand.Fail(error, $"--keepalive-seconds must be 0 or more, got {seconds}");
            }
            var dir = parse.GetValue(pdd);
            if (parse.GetValue(delete) && dir is null)
            {
                return RunCommand.Fail(error, "--delete needs --private-data-dir (a temporary directory is always removed)");
            }
            using var cancel = CancellationTokenSource.CreateLinkedTokenSource(ct);
            // Ctrl-C or SIGTERM cancels the job; the worker still sends its final status and artifacts.
            using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; cancel.Cancel(); });
            using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; cancel.Cancel(); });
            await using var stdin = Console.OpenStandardInput();
            await using var stdout = Console.OpenStandardOutput();
            var result = await AnsibleRunner.StreamAsync(new RunnerOptions
            {
                PrivateDataDir = dir ?? "",
                Streaming = new StreamingOptions
                {
                    Mode = StreamMode.Worker,
                    Input = stdin,
                    Output = stdout,
                    DeletePrivateDataDir = parse.GetValue(delete),
                    Keepalive = seconds > 0 ? TimeSpan.FromSeconds(seconds.Value) : null,
                },
            }, cancel.Token);
            if (result.Explanation is not null)
            {
                await error.WriteLineAsync($"anvil: error: {result.Explanation}");
            }
            return result.Rc;
        });
        return command;
    }
}

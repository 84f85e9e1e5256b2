using System.CommandLine;
using System.Runtime.InteropServices;
using Anvil.Cli.Recording;
using Anvil.Runner;
using Anvil.Runner.Artifacts;
using Anvil.Runner.Execution;
using Anvil.Runner.Inputs;

namespace Anvil.Cli.Commands;

/// <summary><c>anvil run PRIVATE_DATA_DIR -p PLAYBOOK</c>: ansible-runner's <c>run</c>, with its options.</summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var set = new RunOptionSet();
        var command = new Command("run", "Run a playbook (or a module, or a role) from a private data dir in the " +
                                         "foreground; the exit code is Ansible's.");
        set.AddTo(command, "anvil run PRIVATE_DATA_DIR (-p PLAYBOOK | -m MODULE | -r ROLE) [options]");
        command.SetAction(async (parse, ct) =>
        {
            RunnerOptions options;
            try
            {
                options = set.Read(parse);
            }
            catch (RunnerInputException e)
            {
                return Fail(parse.InvocationConfiguration.Error, e.Message);
            }
            return await RunAsync(options, parse.InvocationConfiguration.Error, ct, record: set.Recording(parse));
        });
        return command;
    }

    /// <summary>Runs a job to its end with Ctrl-C and SIGTERM canceling it; returns Ansible's exit code.
    /// <paramref name="beforeStart"/> runs once the inputs are known to be good, just before Ansible starts; what it
    /// returns is disposed when the run is over.</summary>
    public static async Task<int> RunAsync(RunnerOptions options, TextWriter error, CancellationToken ct,
        Func<RunResult, Task>? after = null, RecordingTarget? record = null, Func<JobPlan, IDisposable>? beforeStart = null)
    {
        JobPlan plan;
        IDisposable? started;
        try
        {
            plan = AnsibleRunner.Plan(options);
            started = beforeStart?.Invoke(plan);
        }
        catch (RunnerInputException e)
        {
            return Fail(error, e.Message);
        }
        using var _ = started;
        // A cancel that comes this early still gets a run with status canceled, and that run is recorded.
        await using var recording = record is null
            ? null
            : await RunRecording.StartAsync(record, options, plan, CancellationToken.None);
        if (recording is not null)
        {
            var userHandler = options.EventHandler;
            options = options with
            {
                EventHandler = async (e, t) =>
                {
                    recording.Add(e);
                    return userHandler is null || await userHandler(e, t);
                },
            };
        }
        var job = AnsibleRunner.Start(options, plan, ct);
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; job.Cancel(); });
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; job.Cancel(); });
        RunResult result;
        try
        {
            result = await job.Completion;
        }
        catch (ArtifactWriteException e)
        {
            // Ansible has been stopped and status written where the disk allowed.
            return Fail(error, e.Message);
        }
        if (recording is not null)
        {
            await recording.ReportAsync(result, error, quiet: options.Output is null);
        }
        if (after is not null)
        {
            await after(result);
        }
        return result.Rc;
    }

    public static int Fail(TextWriter error, string message)
    {
        error.WriteLine($"anvil: error: {message}");
        return AnvilCommandLine.InputError;
    }
}

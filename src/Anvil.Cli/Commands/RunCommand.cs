using System.CommandLine;
using System.Runtime.InteropServices;
using Anvil.Cli.Recording;
using Anvil.Runner;
using Anvil.Runner.Inputs;

namespace Anvil.Cli.Commands;

/// <summary><c>anvil run PRIVATE_DATA_DIR -p PLAYBOOK</c>: ansible-runner's <c>run</c>, with its options.</summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var pdd = new Argument<string>("private_data_dir")
        {
            Description = "base directory containing the runner inputs (project, inventory, env, …)",
        };
        var playbook = new Option<string?>("--playbook", "-p")
        { Description = "playbook to run, relative to the project directory (env RUNNER_PLAYBOOK)", HelpName = "PLAYBOOK" };
        var module = new Option<string?>("--module", "-m")
        { Description = "module to run directly, as the ansible command does (env RUNNER_MODULE)", HelpName = "MODULE" };
        var moduleArgs = new Option<string?>("--args", "-a") { Description = "arguments of the module", HelpName = "ARGS" };
        var hosts = new Option<string?>("--hosts") { Description = "host pattern for a module run (default: all)", HelpName = "PATTERN" };
        var binary = new Option<string?>("--binary", "-b") { Description = "the Ansible program to run (env RUNNER_BINARY)", HelpName = "BINARY" };
        var ident = new Option<string?>("--ident", "-i") { Description = "run identifier, the artifact directory's name (default: a new UUID)", HelpName = "IDENT" };
        var rotate = new Option<int>("--rotate-artifacts") { Description = "keep only the newest N artifact directories (0: keep all)", HelpName = "N" };
        var artifactDir = new Option<string?>("--artifact-dir") { Description = "artifacts root (default: PRIVATE_DATA_DIR/artifacts)", HelpName = "DIR" };
        var projectDir = new Option<string?>("--project-dir") { Description = "working directory of the playbook (default: PRIVATE_DATA_DIR/project)", HelpName = "DIR" };
        var inventory = new Option<string[]>("--inventory")
        { Description = "inventory path, absolute or relative to PRIVATE_DATA_DIR/inventory (repeatable)", HelpName = "PATH" };
        var json = new Option<bool>("--json", "-j") { Description = "print each event as a JSON line instead of Ansible's text" };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "print nothing; the artifacts are still written" };
        var omit = new Option<bool>("--omit-event-data") { Description = "leave event_data out of every event" };
        var onlyFailed = new Option<bool>("--only-failed-event-data") { Description = "keep event_data only for failures" };
        var verbose = new Option<bool>("-v") { Description = "more Ansible output; repeat up to 5 times (-vvv)" };
        var limit = new Option<string?>("--limit") { Description = "limit the run to these hosts (Ansible's --limit)", HelpName = "PATTERN" };
        var forks = new Option<int?>("--forks") { Description = "parallel processes (Ansible's --forks)", HelpName = "N" };
        var cmdline = new Option<string?>("--cmdline")
        { Description = "extra Ansible arguments in shell syntax; replaces env/cmdline", HelpName = "ARGS" };
        var noRecord = new Option<bool>("--no-record") { Description = "do not record the run" };
        var recordTo = new Option<string?>("--record-to")
        {
            Description = "record to this Anvil server instead of the local database (credentials from ANVIL_USERNAME/ANVIL_PASSWORD)",
            HelpName = "URL",
        };
        var database = new Option<string?>("--database")
        { Description = "local records database (default: ANVIL_DATABASE, else $ANVIL_HOME/anvil.db)", HelpName = "CONN" };

        var command = new Command("run", "Run a playbook (or a module) from a private data dir in the foreground; " +
                                         "the exit code is Ansible's.")
        {
            pdd, playbook, module, moduleArgs, hosts, binary, ident, rotate, artifactDir, projectDir, inventory, json,
            quiet, omit, onlyFailed, verbose, limit, forks, cmdline, noRecord, recordTo, database,
        };
        GroupedHelp.Apply(command, "anvil run PRIVATE_DATA_DIR (-p PLAYBOOK | -m MODULE) [options]",
            ("What to run", [playbook, module, moduleArgs, hosts, binary]),
            ("Runner options", [ident, rotate, artifactDir, projectDir, inventory, json, quiet, omit, onlyFailed, verbose]),
            ("Ansible options", [limit, forks, cmdline]),
            ("Recording", [noRecord, recordTo, database]));

        command.SetAction(async (parse, ct) =>
        {
            var options = new RunnerOptions
            {
                PrivateDataDir = parse.GetValue(pdd)!,
                Playbook = parse.GetValue(playbook) ?? EnvOrNull("RUNNER_PLAYBOOK"),
                Module = parse.GetValue(module) ?? EnvOrNull("RUNNER_MODULE"),
                ModuleArgs = parse.GetValue(moduleArgs),
                HostPattern = parse.GetValue(hosts),
                Binary = parse.GetValue(binary) ?? EnvOrNull("RUNNER_BINARY"),
                Ident = parse.GetValue(ident),
                RotateArtifacts = parse.GetValue(rotate),
                ArtifactDir = parse.GetValue(artifactDir),
                ProjectDir = parse.GetValue(projectDir),
                Inventory = parse.GetValue(inventory) is { Length: > 0 } inv ? inv : null,
                JsonMode = parse.GetValue(json),
                Output = parse.GetValue(quiet) ? null : parse.InvocationConfiguration.Output,
                OmitEventData = parse.GetValue(omit),
                OnlyFailedEventData = parse.GetValue(onlyFailed),
                Verbosity = Verbosity.Get(),
                Limit = parse.GetValue(limit),
                Forks = parse.GetValue(forks),
                Cmdline = parse.GetValue(cmdline),
            };
            if (options.HostPattern is not null && options.Module is null)
            {
                return Fail(parse, "--hosts can only be used with -m");
            }
            var record = parse.GetValue(noRecord)
                ? null
                : new RecordingTarget(parse.GetValue(recordTo) ?? EnvOrNull("ANVIL_RECORD_TO"), parse.GetValue(database));
            return await RunAsync(options, parse.InvocationConfiguration.Error, ct, record: record);
        });
        return command;
    }

    /// <summary>Runs a job to its end with Ctrl-C and SIGTERM canceling it; returns Ansible's exit code.</summary>
    public static async Task<int> RunAsync(RunnerOptions options, TextWriter error, CancellationToken ct,
        Func<RunResult, Task>? after = null, RecordingTarget? record = null)
    {
        Runner.Execution.JobPlan plan;
        try
        {
            plan = AnsibleRunner.Plan(options);
        }
        catch (RunnerInputException e)
        {
            await error.WriteLineAsync($"anvil: error: {e.Message}");
            return AnvilCommandLine.InputError;
        }
        await using var recording = record is null ? null : await RunRecording.StartAsync(record, options, plan, ct);
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
        var result = await job.Completion;
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

    private static int Fail(ParseResult parse, string message)
    {
        parse.InvocationConfiguration.Error.WriteLine($"anvil: error: {message}");
        return AnvilCommandLine.InputError;
    }

    private static string? EnvOrNull(string name) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } v ? v : null;
}

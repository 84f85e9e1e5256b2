using System.CommandLine;
using Anvil.Cli.Recording;
using Anvil.Runner;
using Anvil.Runner.Inputs;

namespace Anvil.Cli.Commands;

/// <summary>The options of ansible-runner's <c>run</c>, shared by <c>anvil run</c> and <c>anvil start</c>.</summary>
internal sealed class RunOptionSet
{
    public Argument<string> PrivateDataDir { get; } = new("private_data_dir")
    {
        Description = "base directory containing the runner inputs (project, inventory, env, …)",
    };

    private readonly Option<string?> _playbook = new("--playbook", "-p")
    { Description = "playbook to run, relative to the project directory (env RUNNER_PLAYBOOK)", HelpName = "PLAYBOOK" };
    private readonly Option<string?> _module = new("--module", "-m")
    { Description = "module to run directly, as the ansible command does (env RUNNER_MODULE)", HelpName = "MODULE" };
    private readonly Option<string?> _role = new("--role", "-r")
    { Description = "role to run directly, in a play the runner writes (env RUNNER_ROLE)", HelpName = "ROLE" };
    private readonly Option<string?> _moduleArgs = new("--args", "-a") { Description = "arguments of the module", HelpName = "ARGS" };
    private readonly Option<string?> _hosts = new("--hosts") { Description = "host pattern for a module or role run (default: all)", HelpName = "PATTERN" };
    private readonly Option<string?> _binary = new("--binary", "-b") { Description = "the Ansible program to run (env RUNNER_BINARY)", HelpName = "BINARY" };
    private readonly Option<string[]> _rolesPath = new("--roles-path")
    { Description = "directory of roles, searched before PRIVATE_DATA_DIR/roles (repeatable)", HelpName = "DIR" };
    private readonly Option<string?> _roleVars = new("--role-vars")
    { Description = "role variables, 'key=value key2=value2' (values read as Python literals)", HelpName = "VARS" };
    private readonly Option<bool> _roleSkipFacts = new("--role-skip-facts") { Description = "do not gather facts before the role" };
    private readonly Option<string?> _ident = new("--ident", "-i") { Description = "run identifier, the artifact directory's name (default: a new UUID)", HelpName = "IDENT" };
    private readonly Option<int> _rotate = new("--rotate-artifacts") { Description = "keep only the newest N artifact directories (0: keep all)", HelpName = "N" };
    private readonly Option<string?> _artifactDir = new("--artifact-dir") { Description = "artifacts root (default: PRIVATE_DATA_DIR/artifacts)", HelpName = "DIR" };
    private readonly Option<string?> _projectDir = new("--project-dir") { Description = "working directory of the playbook (default: PRIVATE_DATA_DIR/project)", HelpName = "DIR" };
    private readonly Option<string[]> _inventory = new("--inventory")
    { Description = "inventory path, absolute or relative to PRIVATE_DATA_DIR/inventory (repeatable)", HelpName = "PATH" };
    private readonly Option<bool> _json = new("--json", "-j") { Description = "print each event as a JSON line instead of Ansible's text" };
    private readonly Option<bool> _quiet = new("--quiet", "-q") { Description = "print nothing; the artifacts are still written" };
    private readonly Option<bool> _omit = new("--omit-event-data") { Description = "leave event_data out of every event" };
    private readonly Option<bool> _onlyFailed = new("--only-failed-event-data") { Description = "keep event_data only for failures" };
    private readonly Option<bool> _verbose = new("-v") { Description = "more Ansible output; repeat up to 5 times (-vvv)" };
    private readonly Option<string?> _limit = new("--limit") { Description = "limit the run to these hosts (Ansible's --limit)", HelpName = "PATTERN" };
    private readonly Option<int?> _forks = new("--forks") { Description = "parallel processes (Ansible's --forks)", HelpName = "N" };
    private readonly Option<string?> _cmdline = new("--cmdline")
    { Description = "extra Ansible arguments in shell syntax; replaces env/cmdline", HelpName = "ARGS" };
    private readonly Option<bool> _isolation = new("--process-isolation")
    { Description = "isolate the run: a bubblewrap sandbox, or a container with --container-image" };
    private readonly Option<string?> _isolationExecutable = new("--process-isolation-executable")
    { Description = "bwrap (default), or the container engine podman (default with an image) or docker", HelpName = "PROGRAM" };
    private readonly Option<string?> _isolationPath = new("--process-isolation-path")
    { Description = "where a sandboxed run stages its files (default: the temp directory)", HelpName = "DIR" };
    private readonly Option<string[]> _hidePaths = PathList("--process-isolation-hide-paths", "paths the sandboxed run cannot see");
    private readonly Option<string[]> _showPaths = PathList("--process-isolation-show-paths", "paths the sandboxed run sees read-write");
    private readonly Option<string[]> _roPaths = PathList("--process-isolation-ro-paths", "paths the sandboxed run sees read-only");
    private readonly Option<string?> _directoryIsolation = new("--directory-isolation-base-path")
    { Description = "copy the project into a new directory under DIR and run there (removed after)", HelpName = "DIR" };
    private readonly Option<string?> _containerImage = new("--container-image")
    { Description = "image to run Ansible in (with --process-isolation)", HelpName = "IMAGE" };
    private readonly Option<string[]> _containerMounts = new("--container-volume-mount")
    { Description = "bind mount 'host_dir:container_dir[:options]' (repeatable)", HelpName = "MOUNT" };
    private readonly Option<string[]> _containerOptions = new("--container-option")
    { Description = "option for the engine's run, e.g. --container-option=--network=none (repeatable)", HelpName = "OPTION" };
    private readonly Option<bool> _profiling = new("--resource-profiling")
    { Description = "record CPU, memory and process count per task (cgroup v2)" };
    private readonly Option<string?> _profilingCgroup = new("--resource-profiling-base-cgroup")
    { Description = "parent cgroup of the run's cgroup (default: ansible-runner)", HelpName = "CGROUP" };
    private readonly Option<double?> _profilingCpu = new("--resource-profiling-cpu-poll-interval")
    { Description = "seconds between CPU samples (default: 0.25)", HelpName = "SECONDS" };
    private readonly Option<double?> _profilingMemory = new("--resource-profiling-memory-poll-interval")
    { Description = "seconds between memory samples (default: 0.25)", HelpName = "SECONDS" };
    private readonly Option<double?> _profilingPid = new("--resource-profiling-pid-poll-interval")
    { Description = "seconds between process count samples (default: 0.25)", HelpName = "SECONDS" };
    private readonly Option<string?> _profilingDir = new("--resource-profiling-results-dir")
    { Description = "where the profiling files go (default: PRIVATE_DATA_DIR/profiling_data)", HelpName = "DIR" };
    private readonly Option<bool> _noRecord = new("--no-record") { Description = "do not record the run" };
    private readonly Option<string?> _recordTo = new("--record-to")
    {
        Description = "record to this Anvil server instead of the local database (credentials from ANVIL_USERNAME/ANVIL_PASSWORD)",
        HelpName = "URL",
    };
    private readonly Option<string?> _database = new("--database")
    { Description = "local records database (default: ANVIL_DATABASE, else $ANVIL_HOME/anvil.db)", HelpName = "CONN" };

    /// <summary>Adds the argument and options to <paramref name="command"/> with ansible-runner's help groups.</summary>
    public void AddTo(Command command, string usage)
    {
        command.Arguments.Add(PrivateDataDir);
        Option[] what = [_playbook, _module, _role, _moduleArgs, _hosts, _binary];
        Option[] roles = [_rolesPath, _roleVars, _roleSkipFacts];
        Option[] runner = [_ident, _rotate, _artifactDir, _projectDir, _inventory, _json, _quiet, _omit, _onlyFailed, _verbose];
        Option[] ansible = [_limit, _forks, _cmdline];
        Option[] recording = [_noRecord, _recordTo, _database];
        Option[] isolation = [_isolation, _isolationExecutable, _isolationPath, _hidePaths, _showPaths, _roPaths, _directoryIsolation];
        Option[] container = [_containerImage, _containerMounts, _containerOptions];
        Option[] profiling = [_profiling, _profilingCgroup, _profilingCpu, _profilingMemory, _profilingPid, _profilingDir];
        foreach (var o in what.Concat(runner).Concat(ansible).Concat(roles).Concat(isolation).Concat(container)
                     .Concat(profiling).Concat(recording))
        {
            command.Options.Add(o);
        }
        GroupedHelp.Apply(command, usage, ("What to run", what), ("Runner options", runner), ("Ansible options", ansible),
            ("Role options", roles), ("Process isolation", isolation), ("Container options", container),
            ("Resource profiling", profiling), ("Recording", recording));
    }

    /// <summary>For <c>stop</c> and <c>is-alive</c>: the argument and every option of <c>run</c> but process
    /// isolation, as ansible-runner accepts them there, so that scripts written for it work unchanged. Only
    /// <c>-i</c> means something to these commands (<see cref="Ident"/>); the rest is accepted and ignored.</summary>
    public void AddAcceptedTo(Command command, string usage)
    {
        command.Arguments.Add(PrivateDataDir);
        Option[] used = [_ident];
        Option[] accepted =
        [
            _playbook, _module, _role, _moduleArgs, _hosts, _binary, _rotate, _artifactDir, _projectDir, _inventory,
            _json, _quiet, _omit, _onlyFailed, _verbose, _limit, _forks, _cmdline, _rolesPath, _roleVars,
            _roleSkipFacts, _containerImage, _containerMounts, _containerOptions, _noRecord, _recordTo, _database,
        ];
        foreach (var o in used.Concat(accepted))
        {
            command.Options.Add(o);
        }
        GroupedHelp.Apply(command, usage, ("Options", used),
            ("Accepted as ansible-runner accepts them, and ignored", accepted));
    }

    /// <summary>The <c>-i/--ident</c> given, or null.</summary>
    public string? Ident(ParseResult parse) => parse.GetValue(_ident);

    /// <summary>The run's options, or the one-line reason they do not go together.</summary>
    public RunnerOptions Read(ParseResult parse)
    {
        // RUNNER_PLAYBOOK, RUNNER_MODULE and RUNNER_ROLE stand in only when none of -p, -m, -r was given.
        var given = parse.GetValue(_playbook) is not null || parse.GetValue(_module) is not null || parse.GetValue(_role) is not null;
        var options = new RunnerOptions
        {
            PrivateDataDir = parse.GetValue(PrivateDataDir)!,
            Playbook = parse.GetValue(_playbook) ?? (given ? null : EnvOrNull("RUNNER_PLAYBOOK")),
            Module = parse.GetValue(_module) ?? (given ? null : EnvOrNull("RUNNER_MODULE")),
            Role = parse.GetValue(_role) ?? (given ? null : EnvOrNull("RUNNER_ROLE")),
            ModuleArgs = parse.GetValue(_moduleArgs),
            HostPattern = parse.GetValue(_hosts),
            Binary = parse.GetValue(_binary) ?? EnvOrNull("RUNNER_BINARY"),
            RolesPath = parse.GetValue(_rolesPath) is { Length: > 0 } rp ? rp : null,
            RoleSkipFacts = parse.GetValue(_roleSkipFacts),
            Ident = parse.GetValue(_ident),
            RotateArtifacts = parse.GetValue(_rotate),
            ArtifactDir = parse.GetValue(_artifactDir),
            ProjectDir = parse.GetValue(_projectDir),
            Inventory = parse.GetValue(_inventory) is { Length: > 0 } inv ? inv : null,
            JsonMode = parse.GetValue(_json),
            Output = parse.GetValue(_quiet) ? null : parse.InvocationConfiguration.Output,
            OmitEventData = parse.GetValue(_omit),
            OnlyFailedEventData = parse.GetValue(_onlyFailed),
            Verbosity = Verbosity.Get(),
            Limit = parse.GetValue(_limit),
            Forks = parse.GetValue(_forks),
            Cmdline = parse.GetValue(_cmdline),
        };
        if (options.HostPattern is not null && options.Module is null && options.Role is null)
        {
            throw new RunnerInputException("--hosts can only be used with -m or -r");
        }
        if (options.ModuleArgs is not null && options.Module is null)
        {
            throw new RunnerInputException("-a can only be used with -m");
        }
        options = options with { Settings = Settings(parse) };
        var roleVars = parse.GetValue(_roleVars);
        if (options.Role is null && (roleVars is not null || options.RolesPath is not null || options.RoleSkipFacts))
        {
            throw new RunnerInputException("--role-vars, --roles-path and --role-skip-facts can only be used with -r");
        }
        return roleVars is null ? options : options with { RoleVars = RoleVariables.Parse(roleVars) };
    }

    /// <summary>The runner settings given as options (null when none is): <c>env/settings</c> wins key by key.</summary>
    private RunnerSettings? Settings(ParseResult parse)
    {
        var given = new Option[]
        {
            _isolation, _isolationExecutable, _isolationPath, _hidePaths, _showPaths, _roPaths, _directoryIsolation,
            _containerImage, _containerMounts, _containerOptions, _profiling, _profilingCgroup, _profilingCpu,
            _profilingMemory, _profilingPid, _profilingDir,
        }.Where(o => parse.GetResult(o) is not null).ToList();
        if (given.Count == 0)
        {
            return null;
        }
        var defaults = new RunnerSettings();
        return defaults with
        {
            ProcessIsolation = parse.GetValue(_isolation),
            ProcessIsolationExecutable = parse.GetValue(_isolationExecutable),
            ProcessIsolationPath = parse.GetValue(_isolationPath),
            ProcessIsolationHidePaths = parse.GetValue(_hidePaths) ?? [],
            ProcessIsolationShowPaths = parse.GetValue(_showPaths) ?? [],
            ProcessIsolationRoPaths = parse.GetValue(_roPaths) ?? [],
            DirectoryIsolationBasePath = parse.GetValue(_directoryIsolation),
            ContainerImage = parse.GetValue(_containerImage),
            ContainerVolumeMounts = parse.GetValue(_containerMounts) ?? [],
            ContainerOptions = parse.GetValue(_containerOptions) ?? [],
            ResourceProfiling = parse.GetValue(_profiling),
            ResourceProfilingBaseCgroup = parse.GetValue(_profilingCgroup) ?? defaults.ResourceProfilingBaseCgroup,
            ResourceProfilingCpuPollInterval = Interval(parse, _profilingCpu) ?? defaults.ResourceProfilingCpuPollInterval,
            ResourceProfilingMemoryPollInterval = Interval(parse, _profilingMemory) ?? defaults.ResourceProfilingMemoryPollInterval,
            ResourceProfilingPidPollInterval = Interval(parse, _profilingPid) ?? defaults.ResourceProfilingPidPollInterval,
            ResourceProfilingResultsDir = parse.GetValue(_profilingDir),
        };
    }

    private static TimeSpan? Interval(ParseResult parse, Option<double?> option) => parse.GetValue(option) switch
    {
        null => null,
        > 0 and var v => TimeSpan.FromSeconds(v),
        var v => throw new RunnerInputException($"{option.Name} must be a number of seconds above 0, got {v}"),
    };

    /// <summary>A list of paths, given one or several per option (ansible-runner's <c>nargs='*'</c>).</summary>
    private static Option<string[]> PathList(string name, string description) => new(name)
    {
        Description = description + " (one or more; repeatable)",
        HelpName = "PATH",
        AllowMultipleArgumentsPerToken = true,
    };

    /// <summary>Where to record, or null with <c>--no-record</c>.</summary>
    public RecordingTarget? Recording(ParseResult parse) =>
        parse.GetValue(_noRecord)
            ? null
            : new RecordingTarget(parse.GetValue(_recordTo) ?? EnvOrNull("ANVIL_RECORD_TO"), parse.GetValue(_database));

    public static string? EnvOrNull(string name) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } v ? v : null;
}

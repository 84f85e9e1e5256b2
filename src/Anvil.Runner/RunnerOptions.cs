using System.Text.Json.Nodes;
using Anvil.Events;
using Anvil.Runner.Inputs;

namespace Anvil.Runner;

/// <summary>Everything a run needs; the typed counterpart of ansible-runner's <c>run()</c> keyword arguments.
/// Only <see cref="PrivateDataDir"/> and one of <see cref="Playbook"/>, <see cref="Module"/>, <see cref="Role"/> or
/// <see cref="Arguments"/> are required.</summary>
public sealed record RunnerOptions
{
    /// <summary>The private data dir (<c>env/</c>, <c>inventory/</c>, <c>project/</c>, <c>artifacts/</c>).</summary>
    public required string PrivateDataDir { get; init; }

    /// <summary>Playbook path, relative to the project directory or absolute.</summary>
    public string? Playbook { get; init; }

    /// <summary>Module to run directly (ad-hoc mode, the <c>ansible</c> command).</summary>
    public string? Module { get; init; }

    /// <summary>Arguments of <see cref="Module"/>.</summary>
    public string? ModuleArgs { get; init; }

    /// <summary>Host pattern for module and role runs. Default: <c>all</c>.</summary>
    public string? HostPattern { get; init; }

    /// <summary>Role to run directly: the runner writes a one-play playbook that applies it to
    /// <see cref="HostPattern"/> (ansible-runner's <c>-r</c>).</summary>
    public string? Role { get; init; }

    /// <summary>Variables of <see cref="Role"/> (the play's <c>roles: [{name, vars}]</c>).</summary>
    public JsonObject? RoleVars { get; init; }

    /// <summary>Directories searched for <see cref="Role"/>, before <c>&lt;private data dir&gt;/roles</c> and any
    /// <c>ANSIBLE_ROLES_PATH</c> already set (<c>--roles-path</c>).</summary>
    public IReadOnlyList<string>? RolesPath { get; init; }

    /// <summary>Do not gather facts in the play generated for <see cref="Role"/> (<c>--role-skip-facts</c>).</summary>
    public bool RoleSkipFacts { get; init; }

    /// <summary>Runs <see cref="Binary"/> with exactly these arguments, as a person would type them after
    /// <c>ansible</c> or <c>ansible-playbook</c> (ansible-runner's raw <c>args</c> mode): no inventory, limit, extra
    /// variables or <c>env/cmdline</c> are added; events and artifacts are kept as for any run.</summary>
    public IReadOnlyList<string>? Arguments { get; init; }

    /// <summary>Working directory of Ansible. Default: the project directory for playbook and role runs (the private
    /// data dir when there is none), the private data dir for module runs, the project directory or else the private
    /// data dir for <see cref="Arguments"/>.</summary>
    public string? WorkingDirectory { get; init; }

    /// <summary>Run identifier: the artifacts go to <c>&lt;artifact dir&gt;/&lt;ident&gt;</c>. Default: a new UUID.</summary>
    public string? Ident { get; init; }

    /// <summary>Root of the artifacts. Default: <c>&lt;private data dir&gt;/artifacts</c>.</summary>
    public string? ArtifactDir { get; init; }

    /// <summary>Working directory of playbook runs. Default: <c>&lt;private data dir&gt;/project</c>.</summary>
    public string? ProjectDir { get; init; }

    /// <summary>Inventories, absolute or relative to <c>&lt;private data dir&gt;/inventory</c>. Default: that
    /// directory, when it exists.</summary>
    public IReadOnlyList<string>? Inventory { get; init; }

    /// <summary>The Ansible program. Default: <c>ansible-playbook</c>, or <c>ansible</c> for module runs. With
    /// <see cref="Arguments"/>, a program named <c>ansible</c> gets the ad-hoc event wiring.</summary>
    public string? Binary { get; init; }

    /// <summary>Extra Ansible arguments (shell syntax); replaces <c>env/cmdline</c> when given.</summary>
    public string? Cmdline { get; init; }

    /// <summary>Host pattern for <c>--limit</c> (ansible-runner's <c>--limit</c>).</summary>
    public string? Limit { get; init; }
    /// <summary>Parallel processes for <c>--forks</c>; null leaves Ansible's default.</summary>
    public int? Forks { get; init; }

    /// <summary>0 to 5; becomes <c>-v</c>…<c>-vvvvv</c>.</summary>
    public int Verbosity { get; init; }

    /// <summary>Only tasks with these tags (<c>--tags</c>, comma-separated).</summary>
    public string? Tags { get; init; }
    /// <summary>Skip tasks with these tags (<c>--skip-tags</c>, comma-separated).</summary>
    public string? SkipTags { get; init; }

    /// <summary>Extra variables passed as JSON with <c>-e</c>, after <c>env/extravars</c>.</summary>
    public JsonObject? ExtraVars { get; init; }

    /// <summary>Environment variables for Ansible, applied over <c>env/envvars</c>.</summary>
    public IReadOnlyDictionary<string, string>? EnvVars { get; init; }

    /// <summary>Runner settings (timeouts, isolation, containers, profiling …); each key <c>env/settings</c> sets
    /// wins over the one given here, as in ansible-runner.</summary>
    public RunnerSettings? Settings { get; init; }

    /// <summary>Prompt patterns (regular expressions) and the answers to type, as in <c>env/passwords</c>; the
    /// file's entries win. With any password the job runs on a pseudo-terminal.</summary>
    public IReadOnlyDictionary<string, string>? Passwords { get; init; }

    /// <summary>A private key for an ssh-agent that serves the run (<c>env/ssh_key</c> when not given).</summary>
    public Secret? SshKey { get; init; }

    /// <summary>The cgroup v2 mount point for resource profiling; found in /proc/self/mountinfo when not set (a
    /// test seam).</summary>
    internal string? CgroupRoot { get; init; }

    /// <summary>Keep only the newest N artifact directories (0: keep all).</summary>
    public int RotateArtifacts { get; init; }

    /// <summary>Where to echo Ansible's text (or events as JSON lines with <see cref="JsonMode"/>). Default: nowhere.</summary>
    public TextWriter? Output { get; init; }

    /// <summary>Echo each event as one JSON line instead of its text.</summary>
    public bool JsonMode { get; init; }

    /// <summary>Drop every event's <c>event_data</c> (<c>--omit-event-data</c>).</summary>
    public bool OmitEventData { get; init; }

    /// <summary>Keep <c>event_data</c> only for failures (<c>--only-failed-event-data</c>).</summary>
    public bool OnlyFailedEventData { get; init; }

    /// <summary>Called for each event before it is written; return false to drop it. Runs off the thread that
    /// reads Ansible's output, so a slow handler delays artifacts but never Ansible.</summary>
    public Func<JobEvent, CancellationToken, ValueTask<bool>>? EventHandler { get; init; }

    /// <summary>Called on every status change (<c>starting</c>, <c>running</c>, then the final status).</summary>
    public Func<RunnerStatusChange, CancellationToken, ValueTask>? StatusHandler { get; init; }

    /// <summary>Asked four times a second while Ansible runs (ansible-runner's <c>cancel_callback</c>, which it asks
    /// every 5 s); returning true, or throwing, cancels the job as <see cref="RunnerJob.Cancel"/> does. Called on a
    /// timer thread, never the one that reads Ansible's output.</summary>
    public Func<bool>? CancelCallback { get; init; }

    /// <summary>Called once when the run has finished and every artifact is written.</summary>
    public Func<RunResult, CancellationToken, ValueTask>? FinishedHandler { get; init; }

    /// <summary>Remote execution (ansible-runner's <c>streamer</c>): transmit this job as a stream, run a streamed
    /// job as a worker, or process a worker's result stream; run with <see cref="AnsibleRunner.StreamAsync"/>.</summary>
    public Streaming.StreamingOptions? Streaming { get; init; }

    /// <summary>The clock for event timestamps and profiling samples. Default: <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;
}

/// <summary>A status change; <see cref="Command"/> and <see cref="Cwd"/> are set for <c>starting</c>.</summary>
public sealed record RunnerStatusChange(string Status, string RunnerIdent)
{
    /// <summary>The command started, redacted.</summary>
    public IReadOnlyList<string>? Command { get; init; }
    /// <summary>The job's working directory.</summary>
    public string? Cwd { get; init; }
}

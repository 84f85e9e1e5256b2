using Anvil.Runner.Inputs;

namespace Anvil.Runner.Execution;

/// <summary>What a run will execute, built without starting anything, so it can be tested and shown.</summary>
public sealed record JobPlan
{
    /// <summary>The run's ident (<c>--ident</c>, or a new UUID): the name of its artifact directory.</summary>
    public required string Ident { get; init; }

    /// <summary>The program and its arguments as started: Ansible's command line, wrapped in bubblewrap, a
    /// container engine or the resource-profiling shell when the run uses them.</summary>
    public required IReadOnlyList<string> Command { get; init; }

    /// <summary>Ansible's own command line, inside whatever wraps it; equal to <see cref="Command"/> when nothing
    /// does. Paths in it are the ones Ansible sees (in a container, under <c>/runner</c>).</summary>
    public IReadOnlyList<string> AnsibleCommand { get; init; } = [];

    /// <summary>The working directory the command is started in (on the host).</summary>
    public required string Cwd { get; init; }

    /// <summary>The environment the command is started with.</summary>
    public required IReadOnlyDictionary<string, string> Environment { get; init; }

    /// <summary>Ansible's environment as the <c>command</c> artifact shows it: values that came from the user's
    /// environment or <c>env/envvars</c> are hidden, only the ones the runner set itself are shown.</summary>
    public required IReadOnlyDictionary<string, string> RedactedEnvironment { get; init; }

    /// <summary><see cref="Command"/> with inline extra-variable values hidden.</summary>
    public required IReadOnlyList<string> RedactedCommand { get; init; }

    /// <summary><c>&lt;artifact dir&gt;/&lt;ident&gt;</c>.</summary>
    public required string ArtifactDir { get; init; }

    /// <summary>The artifacts root (parent of <see cref="ArtifactDir"/>), for rotation.</summary>
    public required string ArtifactRoot { get; init; }

    /// <summary>The runner settings in effect: <c>env/settings</c> over <see cref="RunnerOptions.Settings"/>.</summary>
    public required RunnerSettings Settings { get; init; }

    /// <summary>Full path of the playbook a playbook or role run executes (for a role, the generated one); null for
    /// module runs and raw arguments.</summary>
    public string? PlaybookPath { get; init; }

    /// <summary>Files the runner writes for this run only (extravars read from a pipe, the playbook generated for a
    /// role, the callback copied for a container); written when the run starts, removed at the end.</summary>
    public IReadOnlyDictionary<string, string> PrivateFiles { get; init; } = new Dictionary<string, string>();

    /// <summary>A private directory under the system temp dir for <see cref="PrivateFiles"/>, created when the run
    /// starts and removed at the end; null when the run needs none.</summary>
    public string? PrivateTempDir { get; init; }

    /// <summary>Prompt patterns and answers (<c>env/passwords</c>); with any, the job runs on a pseudo-terminal.</summary>
    public IReadOnlyList<PasswordPrompt> Passwords { get; init; } = [];

    /// <summary>True when the job runs on a pseudo-terminal (there are <see cref="Passwords"/> to answer).</summary>
    public bool UsesTerminal => Passwords.Count > 0;

    /// <summary>The ssh-agent serving the run (<c>env/ssh_key</c>), or null.</summary>
    public SshAgentPlan? SshAgent { get; init; }

    /// <summary>The project copy the run works in (<c>directory_isolation_base_path</c>), or null.</summary>
    public DirectoryIsolationPlan? DirectoryIsolation { get; init; }

    /// <summary>The bubblewrap sandbox, or null.</summary>
    public SandboxPlan? Sandbox { get; init; }

    /// <summary>The container, or null.</summary>
    public ContainerPlan? Container { get; init; }

    /// <summary>Resource profiling, or null when it is off.</summary>
    public ProfilingPlan? Profiling { get; init; }
}

/// <summary>An ssh-agent started for the run, listening on <see cref="Socket"/> in the private
/// <see cref="Directory"/>; <see cref="Key"/> is loaded into it before Ansible starts.</summary>
public sealed record SshAgentPlan(Secret Key, string Directory, string Socket);

/// <summary>The project directory <see cref="Source"/> is copied to <see cref="Copy"/> before the run.</summary>
public sealed record DirectoryIsolationPlan(string Source, string Copy, bool Cleanup);

/// <summary>Per-task CPU, memory and process counts of the job's cgroup v2 <see cref="Cgroup"/>, written to
/// <see cref="ResultsDir"/>. <see cref="Unavailable"/> says why there is no cgroup to use, when there is none.</summary>
public sealed record ProfilingPlan(string? Cgroup, string ResultsDir, TimeSpan CpuInterval, TimeSpan MemoryInterval,
    TimeSpan PidInterval, string? Unavailable);

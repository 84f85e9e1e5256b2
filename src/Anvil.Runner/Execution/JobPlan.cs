namespace Anvil.Runner.Execution;

/// <summary>What a run will execute, built without starting anything, so it can be tested and shown.</summary>
public sealed record JobPlan
{
    public required string Ident { get; init; }
    public required IReadOnlyList<string> Command { get; init; }
    public required string Cwd { get; init; }
    public required IReadOnlyDictionary<string, string> Environment { get; init; }

    /// <summary>The environment as the <c>command</c> artifact shows it: values that came from the user's
    /// environment or <c>env/envvars</c> are hidden, only the ones the runner set itself are shown.</summary>
    public required IReadOnlyDictionary<string, string> RedactedEnvironment { get; init; }

    /// <summary><see cref="Command"/> with inline extra-variable values hidden.</summary>
    public required IReadOnlyList<string> RedactedCommand { get; init; }

    /// <summary><c>&lt;artifact dir&gt;/&lt;ident&gt;</c>.</summary>
    public required string ArtifactDir { get; init; }

    /// <summary>The artifacts root (parent of <see cref="ArtifactDir"/>), for rotation.</summary>
    public required string ArtifactRoot { get; init; }

    public required RunnerSettings Settings { get; init; }

    /// <summary>Full path of the playbook a playbook or role run executes (for a role, the generated one); null for
    /// module runs and raw arguments.</summary>
    public string? PlaybookPath { get; init; }

    /// <summary>Files the runner writes for this run only (extravars read from a pipe, the playbook generated for a
    /// role); written when the run starts, removed at the end.</summary>
    public IReadOnlyDictionary<string, string> PrivateFiles { get; init; } = new Dictionary<string, string>();

    public string? PrivateTempDir { get; init; }
}

namespace Anvil.Runner.Interface;

/// <summary>How to run an Ansible tool: where, with which extra environment, for how long.</summary>
public sealed record AnsibleCommandOptions
{
    /// <summary>Working directory of the tool. Default: the current directory.</summary>
    public string? WorkingDirectory { get; init; }

    /// <summary>Environment variables set over this process's environment.</summary>
    public IReadOnlyDictionary<string, string>? EnvVars { get; init; }

    /// <summary>End the tool (and everything it started) after this long and throw <see cref="TimeoutException"/>.
    /// Default: no limit.</summary>
    public TimeSpan? Timeout { get; init; }
}

/// <summary>What a tool printed on each stream, and its exit code (127 when the program was not found).</summary>
public sealed record AnsibleCommandResult(string Stdout, string Stderr, int Rc)
{
    /// <summary>True when the exit code is 0.</summary>
    public bool Succeeded => Rc == 0;
}

/// <summary>A tool failed (non-zero exit code) or printed something other than the JSON asked for.</summary>
public sealed class AnsibleCommandException(string message, AnsibleCommandResult result) : Exception(message)
{
    /// <summary>The tool's output and exit code.</summary>
    public AnsibleCommandResult Result { get; } = result;
}

using System.Text.Json.Nodes;
using Anvil.Runner.Execution;

namespace Anvil.Runner.Inputs;

/// <summary>
/// The inputs found in a private data dir's <c>env/</c>. Each file is read once, so a named pipe (FIFO) works for
/// every one of them, extravars included (ansible-runner silently ignores a FIFO extravars).
/// </summary>
public sealed record PrivateDataDir
{
    /// <summary>Full path of the private data dir.</summary>
    public required string Root { get; init; }
    /// <summary><c>env/envvars</c>: variables added to the job's environment.</summary>
    public IReadOnlyDictionary<string, string> EnvVars { get; init; } = new Dictionary<string, string>();
    /// <summary><c>env/settings</c> as written; read into <see cref="RunnerSettings"/> when the run is planned.</summary>
    public JsonObject Settings { get; init; } = [];

    /// <summary>Path of <c>env/extravars</c> when it is a regular file; Ansible reads it itself.</summary>
    public string? ExtraVarsFile { get; init; }

    /// <summary>Content of <c>env/extravars</c> when it was a named pipe: it must be handed on through a private
    /// temporary file, since a pipe can be read only once.</summary>
    public string? ExtraVarsFromPipe { get; init; }

    /// <summary><c>env/cmdline</c>: extra Ansible arguments in shell syntax; null when absent.</summary>
    public string? Cmdline { get; init; }

    /// <summary><c>env/passwords</c>: prompt patterns and their answers, in the file's order.</summary>
    public IReadOnlyList<PasswordPrompt> Passwords { get; init; } = [];

    /// <summary><c>env/ssh_key</c>: a private key for an ssh-agent that lives as long as the run.</summary>
    public Secret? SshKey { get; init; }

    /// <summary>Full path of <c>env/</c>.</summary>
    public string EnvDir => Path.Combine(Root, "env");

    /// <summary>Reads the <c>env/</c> files of the private data dir at <paramref name="root"/>; absent files are
    /// empty inputs.</summary>
    /// <exception cref="RunnerInputException">The directory is missing or a file is malformed (the message names
    /// the file).</exception>
    public static PrivateDataDir Load(string root)
    {
        root = Path.GetFullPath(root);
        if (!Directory.Exists(root))
        {
            throw new RunnerInputException($"{root}: private data dir not found");
        }
        var env = Path.Combine(root, "env");

        var envvars = new Dictionary<string, string>(StringComparer.Ordinal);
        if (ReadIfPresent(Path.Combine(env, "envvars")) is { } envText)
        {
            foreach (var (k, v) in MappingFile.Parse(envText, Path.Combine(env, "envvars")))
            {
                envvars[k] = MappingFile.AsString(v);
            }
        }

        var settings = ReadIfPresent(Path.Combine(env, "settings")) is { } settingsText
            ? MappingFile.Parse(settingsText, Path.Combine(env, "settings"))
            : [];

        string? extraFile = null, extraPipe = null;
        var extraPath = Path.Combine(env, "extravars");
        var extraIsPipe = Native.IsFifo(extraPath);
        if (ReadIfPresent(extraPath) is { } extraText)
        {
            MappingFile.Parse(extraText, extraPath); // Fail here, naming the file, rather than deep inside Ansible.
            if (extraIsPipe)
            {
                extraPipe = extraText;
            }
            else
            {
                extraFile = extraPath;
            }
        }

        var cmdline = ReadIfPresent(Path.Combine(env, "cmdline"));
        if (cmdline is not null)
        {
            try
            {
                ShellWords.Split(cmdline);
            }
            catch (FormatException e)
            {
                throw new RunnerInputException($"{Path.Combine(env, "cmdline")}: {e.Message}");
            }
        }

        var passwords = new List<PasswordPrompt>();
        var passwordsPath = Path.Combine(env, "passwords");
        if (ReadIfPresent(passwordsPath) is { } passwordsText)
        {
            foreach (var (pattern, answer) in MappingFile.Parse(passwordsText, passwordsPath))
            {
                if (answer is null)
                {
                    throw new RunnerInputException($"{passwordsPath}: the answer to '{pattern}' is empty (null)");
                }
                passwords.Add(new PasswordPrompt(pattern, MappingFile.AsString(answer)));
            }
        }

        var sshKey = ReadIfPresent(Path.Combine(env, "ssh_key")) is { Length: > 0 } keyText ? new Secret(keyText) : null;

        return new PrivateDataDir
        {
            Root = root,
            EnvVars = envvars,
            Settings = settings,
            ExtraVarsFile = extraFile,
            ExtraVarsFromPipe = extraPipe,
            Cmdline = cmdline,
            Passwords = passwords,
            SshKey = sshKey,
        };
    }

    private static string? ReadIfPresent(string path)
    {
        if (!File.Exists(path) && !Native.IsFifo(path))
        {
            return null;
        }
        try
        {
            return File.ReadAllText(path);
        }
        catch (IOException e)
        {
            throw new RunnerInputException($"{path}: cannot read: {e.Message}", e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new RunnerInputException($"{path}: cannot read: permission denied", e);
        }
    }
}

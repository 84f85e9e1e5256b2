using System.ComponentModel;
using System.Diagnostics;
using System.Text;
using Anvil.Runner.Artifacts;

namespace Anvil.Runner.Execution;

/// <summary>Why the run could not be prepared: the message becomes a runner event, the run fails with
/// <see cref="Rc"/>.</summary>
internal sealed class JobSetupException(string message, int rc) : Exception(message)
{
    public int Rc { get; } = rc;
}

/// <summary>
/// What a run needs on disk and beside it before Ansible starts, and removes afterwards: the project copy of
/// directory isolation, the stand-ins of a sandbox's hidden paths, the run's private files, the profiling cgroup
/// and the ssh-agent holding <c>env/ssh_key</c>. The key goes to <c>ssh-add</c> through a pipe on its stdin, so it
/// is never written to disk; the agent is this runner's child and is stopped when the run ends.
/// </summary>
internal sealed class JobSetup : IAsyncDisposable
{
    private const UnixFileMode PrivateDir = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private static readonly TimeSpan AgentStartup = TimeSpan.FromSeconds(10);

    private readonly JobPlan _plan;
    private readonly TimeProvider _time;
    private readonly List<string> _notices = [];
    private bool _copied;
    private bool _staged;
    private ChildProcess? _agent;

    public JobSetup(JobPlan plan, TimeProvider time)
    {
        _plan = plan;
        _time = time;
    }

    /// <summary>Messages for the run's output (e.g. profiling is off, and why).</summary>
    public IReadOnlyList<string> Notices => _notices;

    public ResourceProfiler? Profiler { get; private set; }

    /// <summary>Prepares everything; throws <see cref="JobSetupException"/> when the run cannot go on.</summary>
    public async Task PrepareAsync(CancellationToken ct)
    {
        if (_plan.DirectoryIsolation is { } isolation)
        {
            try
            {
                _copied = true;
                Directory.CreateDirectory(isolation.Copy, PrivateDir);
                CopyTree(isolation.Source, isolation.Copy);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new JobSetupException($"Directory isolation: cannot copy {isolation.Source} to {isolation.Copy}: {e.Message}", 1);
            }
        }
        if (_plan.Sandbox is { } sandbox)
        {
            _staged = true;
            Directory.CreateDirectory(sandbox.StagingDirectory, PrivateDir);
            foreach (var hidden in sandbox.Hidden)
            {
                if (hidden.IsDirectory)
                {
                    Directory.CreateDirectory(hidden.StandIn, PrivateDir);
                }
                else
                {
                    ArtifactStore.WriteAtomically(hidden.StandIn, []);
                }
            }
        }
        WritePrivateFiles();
        if (_plan.Profiling is { } profiling)
        {
            Profiler = ResourceProfiler.TryCreate(profiling, _time, out var problem);
            if (problem is not null)
            {
                _notices.Add($"Resource profiling is off: {problem}. The run goes on without profiling data.");
            }
        }
        if (_plan.SshAgent is { } agent)
        {
            await StartAgentAsync(agent, ct).ConfigureAwait(false);
        }
    }

    private void WritePrivateFiles()
    {
        if (_plan.PrivateTempDir is { } dir)
        {
            Directory.CreateDirectory(dir, PrivateDir);
        }
        foreach (var (path, content) in _plan.PrivateFiles)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!, PrivateDir);
            ArtifactStore.WriteAtomically(path, Encoding.UTF8.GetBytes(content));
        }
    }

    /// <summary><c>ssh-agent -D -a SOCKET</c> (in the foreground, so it stays this runner's child), then
    /// <c>ssh-add -</c> with the key on its stdin.</summary>
    private async Task StartAgentAsync(SshAgentPlan agent, CancellationToken ct)
    {
        var env = _plan.Environment;
        var agentPath = ExecutableSearch.Find("ssh-agent", env);
        var addPath = ExecutableSearch.Find("ssh-add", env);
        if (agentPath is null || addPath is null)
        {
            throw new JobSetupException("env/ssh_key needs ssh-agent and ssh-add, which were not found (Debian: apt-get install openssh-client).", 127);
        }
        Directory.CreateDirectory(agent.Directory, PrivateDir);
        var quiet = new Dictionary<string, string>(env) { ["SSH_ASKPASS_REQUIRE"] = "never" };
        quiet.Remove("SSH_AUTH_SOCK");
        try
        {
            _agent = ChildProcess.Start(agentPath, ["ssh-agent", "-D", "-a", agent.Socket], quiet, agent.Directory);
        }
        catch (Win32Exception e)
        {
            throw new JobSetupException($"env/ssh_key: cannot start ssh-agent: {e.Message}", 1);
        }
        var waited = Stopwatch.StartNew();
        while (!File.Exists(agent.Socket))
        {
            if (_agent.Exited.IsCompleted || waited.Elapsed > AgentStartup)
            {
                throw new JobSetupException($"env/ssh_key: ssh-agent did not start: {Drain(_agent)}", 1);
            }
            await Task.Delay(20, ct).ConfigureAwait(false);
        }

        quiet["SSH_AUTH_SOCK"] = agent.Socket;
        using var add = ChildProcess.Start(addPath, ["ssh-add", "-"], quiet, agent.Directory,
            Encoding.UTF8.GetBytes(EndWithNewline(agent.Key.Reveal())));
        var said = Drain(add);
        var rc = await add.Exited.ConfigureAwait(false);
        if (rc != 0)
        {
            // ssh-add's message names no key material ("Error loading key "(stdin)": invalid format").
            throw new JobSetupException($"env/ssh_key: ssh-add could not load the key (rc {rc}): {said}", rc > 0 ? rc : 1);
        }
    }

    /// <summary>ssh-add rejects a PEM key whose last line has no line end.</summary>
    private static string EndWithNewline(string key) => key.EndsWith('\n') ? key : key + "\n";

    /// <summary>What a helper printed (it has exited, or will without reading more), as one line.</summary>
    private static string Drain(ChildProcess child)
    {
        var buffer = new byte[8192];
        var text = new StringBuilder();
        for (var i = 0; i < 16; i++)
        {
            var n = child.Read(buffer, child.Exited.IsCompleted ? 0 : 2000);
            if (n <= 0)
            {
                break;
            }
            text.Append(Encoding.UTF8.GetString(buffer, 0, n));
        }
        var line = string.Join(' ', text.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        return line.Length > 0 ? line : "no message";
    }

    /// <summary>Copies a tree as ansible-runner's copytree(symlinks=True): symbolic links stay links, files keep
    /// their modes.</summary>
    private static void CopyTree(string from, string to)
    {
        foreach (var entry in new DirectoryInfo(from).EnumerateFileSystemInfos())
        {
            var target = Path.Combine(to, entry.Name);
            if (entry.LinkTarget is { } link)
            {
                File.CreateSymbolicLink(target, link);
            }
            else if (entry is DirectoryInfo dir)
            {
                Directory.CreateDirectory(target, dir.UnixFileMode);
                CopyTree(dir.FullName, target);
            }
            else
            {
                File.Copy(entry.FullName, target);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_agent is { } agent)
        {
            agent.SignalGroup(Native.SIGTERM);
            if (await Task.WhenAny(agent.Exited, Task.Delay(RunnerJob.TerminationGrace)).ConfigureAwait(false) != agent.Exited)
            {
                agent.SignalGroup(Native.SIGKILL);
                await agent.Exited.ConfigureAwait(false);
            }
            agent.Dispose();
        }
        if (Profiler is { } profiler)
        {
            await profiler.DisposeAsync().ConfigureAwait(false);
        }
        foreach (var path in _plan.PrivateFiles.Keys)
        {
            File.Delete(path);
            // A directory the runner made in the artifacts for its own files (a container's callback copy) goes too.
            var dir = Path.GetDirectoryName(path)!;
            if (dir.StartsWith(_plan.ArtifactDir + "/", StringComparison.Ordinal) && Directory.Exists(dir) &&
                !Directory.EnumerateFileSystemEntries(dir).Any())
            {
                Directory.Delete(dir);
            }
        }
        DeleteTree(_plan.PrivateTempDir);
        DeleteTree(_plan.SshAgent?.Directory);
        if (_staged)
        {
            DeleteTree(_plan.Sandbox!.StagingDirectory);
        }
        if (_copied && _plan.DirectoryIsolation is { Cleanup: true } isolation)
        {
            DeleteTree(isolation.Copy);
        }
    }

    private static void DeleteTree(string? dir)
    {
        if (dir is not null && Directory.Exists(dir))
        {
            try
            {
                Directory.Delete(dir, recursive: true);
            }
            catch (IOException)
            {
                // Something the job started still writes there; leave it rather than fail the finished run.
            }
        }
    }
}

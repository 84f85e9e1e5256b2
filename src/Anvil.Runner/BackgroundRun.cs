using System.Globalization;
using Anvil.Runner.Execution;
using Anvil.Runner.Inputs;

namespace Anvil.Runner;

/// <summary>How <see cref="BackgroundRun.StopAsync"/> ended.</summary>
public enum StopOutcome
{
    /// <summary>No live run owned the pid file (a stale one was removed).</summary>
    NotRunning,

    /// <summary>The runner ended the job itself and wrote <c>status</c> <c>canceled</c> and <c>rc</c>.</summary>
    Stopped,

    /// <summary>The runner did not end within the grace period: it and every process group it started were
    /// killed, so nothing survives, but no <c>status</c> or <c>rc</c> was written.</summary>
    Killed,
}

/// <summary>A background run that is going.</summary>
/// <param name="Pid">Its runner's pid.</param>
/// <param name="Ident">The run's ident, or null when its runner did not record one (an older Anvil).</param>
public sealed record LiveRun(int Pid, string? Ident)
{
    /// <summary>It is not the run <paramref name="ident"/> (a run without a recorded ident is taken at its word, as
    /// ansible-runner takes any); a null <paramref name="ident"/> matches every run.</summary>
    public bool IsOtherThan(string? ident) => ident is not null && Ident is not null && Ident != ident;
}

/// <summary>
/// Runs in the background from a private data dir, as ansible-runner's <c>start</c>, <c>stop</c> and
/// <c>is-alive</c> do: while a background runner runs, <c>&lt;private data dir&gt;/pid</c> holds its pid. The file
/// has a second line with the process's start time, so a pid the system has since given to another process is not
/// mistaken for the run (ansible-runner reads only the first line).
/// </summary>
public static class BackgroundRun
{
    /// <summary>Name of the pid file in the private data dir, as ansible-runner names it.</summary>
    public const string PidFileName = "pid";

    /// <summary>Where a background runner's own messages go (ansible-runner's name).</summary>
    public const string LogFileName = "daemon.log";

    /// <summary>Full path of <c>&lt;private data dir&gt;/pid</c>.</summary>
    public static string PidFile(string privateDataDir) => Path.Combine(Path.GetFullPath(privateDataDir), PidFileName);

    /// <summary>Starts <paramref name="program"/> detached from this process: its own session (no terminal
    /// signals reach it), stdin and stdout on /dev/null, stderr appended to <paramref name="logPath"/>.</summary>
    public static int Spawn(string program, IReadOnlyList<string> argv, string workingDirectory, string logPath)
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (System.Collections.DictionaryEntry e in Environment.GetEnvironmentVariables())
        {
            env[(string)e.Key] = (string?)e.Value ?? "";
        }
        return ChildProcess.StartDetached(program, argv, env, workingDirectory, logPath);
    }

    /// <summary>The exit code of a process this one spawned, once it has ended; null while it runs.</summary>
    public static int? TryGetExitCode(int pid) => ChildProcess.TryGetExitCode(pid);

    /// <summary>The live background run of <paramref name="privateDataDir"/> (its runner's pid and the run's ident),
    /// or null when none runs; one read of the pid file.</summary>
    public static LiveRun? Live(string privateDataDir)
    {
        var owner = ReadPidFile(PidFile(privateDataDir));
        return owner is { } o && IsRunning(o.Pid, o.StartTime) ? new LiveRun(o.Pid, o.Ident) : null;
    }

    /// <summary>The pid of the live background runner of <paramref name="privateDataDir"/>, or null.</summary>
    public static int? LivePid(string privateDataDir) => Live(privateDataDir)?.Pid;

    /// <summary>True while the background runner of <paramref name="privateDataDir"/> runs.</summary>
    public static bool IsAlive(string privateDataDir) => Live(privateDataDir) is not null;

    /// <summary>Writes this process's pid file (pid, start time, and the run's <paramref name="ident"/>, so that
    /// <c>stop -i</c> and <c>is-alive -i</c> can tell which run it is); fails when another live runner owns it.
    /// Disposing removes it.</summary>
    public static IDisposable Claim(string privateDataDir, string? ident = null)
    {
        var path = PidFile(privateDataDir);
        var pid = Environment.ProcessId;
        var content = pid.ToString(CultureInfo.InvariantCulture) + "\n" + StartTime(pid) + "\n" +
                      (ident is null ? "" : ident + "\n");
        for (var attempt = 0; ; attempt++)
        {
            var tmp = path + "." + Guid.NewGuid().ToString("N")[..8] + ".tmp";
            File.WriteAllText(tmp, content);
            File.SetUnixFileMode(tmp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            try
            {
                // Moving without overwrite fails when the file exists: two starts cannot both own it.
                File.Move(tmp, path, overwrite: false);
                return new Claimed(path, content);
            }
            catch (IOException) when (File.Exists(path) && attempt == 0)
            {
                File.Delete(tmp);
                if (LivePid(privateDataDir) is { } other)
                {
                    throw new RunnerInputException($"{path}: a run from this private data dir is already going (pid {other})");
                }
                File.Delete(path); // left by a runner that was killed
            }
            catch
            {
                File.Delete(tmp);
                throw;
            }
        }
    }

    /// <summary>Ends the background run: SIGTERM to the runner, which cancels the whole job (SIGTERM to its process
    /// group, SIGKILL after <see cref="RunnerJob.TerminationGrace"/>) and writes <c>status</c> <c>canceled</c> and
    /// <c>rc</c>. A runner still there after <paramref name="grace"/> is killed with every process group it
    /// started. <paramref name="time"/>: the clock for the grace period, default <see cref="TimeProvider.System"/>.</summary>
    public static async Task<StopOutcome> StopAsync(string privateDataDir, TimeSpan grace, TimeProvider? time = null,
        CancellationToken ct = default)
    {
        var path = PidFile(privateDataDir);
        if (ReadPidFile(path) is not { } owner || !IsRunning(owner.Pid, owner.StartTime))
        {
            File.Delete(path);
            return StopOutcome.NotRunning;
        }
        Native.kill(owner.Pid, Native.SIGTERM);
        time ??= TimeProvider.System;
        var deadline = time.GetUtcNow() + grace;
        while (IsRunning(owner.Pid, owner.StartTime))
        {
            if (time.GetUtcNow() >= deadline)
            {
                // The runner started each job in a session of its own: those are its children, and their pids are
                // their process groups.
                foreach (var child in ChildrenOf(owner.Pid))
                {
                    Native.kill(-child, Native.SIGKILL);
                    Native.kill(child, Native.SIGKILL);
                }
                Native.kill(owner.Pid, Native.SIGKILL);
                File.Delete(path);
                return StopOutcome.Killed;
            }
            await Task.Delay(TimeSpan.FromMilliseconds(100), time, ct).ConfigureAwait(false);
        }
        return StopOutcome.Stopped;
    }

    private sealed record Owner(int Pid, string? StartTime, string? Ident);

    private sealed class Claimed(string path, string content) : IDisposable
    {
        public void Dispose()
        {
            try
            {
                if (File.Exists(path) && File.ReadAllText(path) == content)
                {
                    File.Delete(path);
                }
            }
            catch (IOException)
            {
            }
        }
    }

    private static Owner? ReadPidFile(string path)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
        return lines.Length > 0 && int.TryParse(lines[0].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && pid > 0
            ? new Owner(pid, lines.Length > 1 && lines[1].Trim().Length > 0 ? lines[1].Trim() : null,
                lines.Length > 2 && lines[2].Length > 0 ? lines[2] : null)
            : null;
    }

    /// <summary>Alive, not a zombie, and (when known) started when the pid file says.</summary>
    private static bool IsRunning(int pid, string? startTime)
    {
        if (Stat(pid) is not { } fields)
        {
            return false;
        }
        return fields[0] != "Z" && fields[0] != "X" && (startTime is null || fields[19] == startTime);
    }

    private static string StartTime(int pid) => Stat(pid)?[19] ?? "";

    /// <summary>The fields of <c>/proc/PID/stat</c> after the command name (state first).</summary>
    private static string[]? Stat(int pid)
    {
        try
        {
            var text = File.ReadAllText($"/proc/{pid}/stat");
            var close = text.LastIndexOf(')');
            var fields = text[(close + 2)..].Split(' ');
            return fields.Length > 19 ? fields : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static IEnumerable<int> ChildrenOf(int parent)
    {
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) &&
                Stat(pid) is { } fields && fields[1] == parent.ToString(CultureInfo.InvariantCulture))
            {
                yield return pid;
            }
        }
    }
}

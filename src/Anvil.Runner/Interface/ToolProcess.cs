using System.ComponentModel;
using System.Diagnostics;
using System.Text;
using Anvil.Runner.Execution;
using Anvil.Runner.Inputs;

namespace Anvil.Runner.Interface;

/// <summary>Runs a tool with stdout and stderr kept apart (the helpers need the JSON alone), stdin on /dev/null so a
/// prompt cannot hang it, in a session of its own so that cancel or timeout ends everything it started.</summary>
internal static class ToolProcess
{
    public static async Task<AnsibleCommandResult> RunAsync(string program, IReadOnlyList<string> arguments,
        AnsibleCommandOptions? options, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(program);
        options ??= new AnsibleCommandOptions();
        var cwd = Path.GetFullPath(options.WorkingDirectory ?? Environment.CurrentDirectory);
        if (!Directory.Exists(cwd))
        {
            throw new RunnerInputException($"{cwd}: working directory not found");
        }

        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (System.Collections.DictionaryEntry e in Environment.GetEnvironmentVariables())
        {
            env[(string)e.Key] = (string?)e.Value ?? "";
        }
        foreach (var (k, v) in options.EnvVars ?? new Dictionary<string, string>())
        {
            env[k] = v;
        }
        if (ExecutableSearch.Find(program, env) is not { } path)
        {
            return new AnsibleCommandResult("", $"The command was not found or was not executable: {program}.", 127);
        }

        using var timeout = options.Timeout is { } t ? new CancellationTokenSource(t) : null;
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout?.Token ?? CancellationToken.None);
        ChildProcess child;
        try
        {
            child = ChildProcess.StartWithSeparateStderr(path, [path, .. arguments], env, cwd);
        }
        catch (Win32Exception)
        {
            return new AnsibleCommandResult("", $"The command was not found or was not executable: {program}.", 127);
        }
        using (child)
        {
            var stdout = Task.Factory.StartNew(() => Drain(child, error: false), CancellationToken.None,
                TaskCreationOptions.LongRunning, TaskScheduler.Default);
            var stderr = Task.Factory.StartNew(() => Drain(child, error: true), CancellationToken.None,
                TaskCreationOptions.LongRunning, TaskScheduler.Default);
            try
            {
                await child.Exited.WaitAsync(linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // The tool runs in a session of its own: one signal to its group ends it and all it started.
                child.SignalGroup(Native.SIGKILL);
                await child.Exited.ConfigureAwait(false);
                await Task.WhenAll(stdout, stderr).ConfigureAwait(false);
                if (timeout?.IsCancellationRequested == true && !ct.IsCancellationRequested)
                {
                    throw new TimeoutException($"{program} did not finish within {options.Timeout!.Value.TotalSeconds:0.###} s");
                }
                throw;
            }
            var rc = await child.Exited.ConfigureAwait(false);
            return new AnsibleCommandResult(await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false),
                rc < 0 ? 128 - rc : rc);
        }
    }

    /// <summary>One of the tool's outputs to its end, or until 2 s after the tool exited when something it started
    /// keeps the pipe open.</summary>
    private static string Drain(ChildProcess child, bool error)
    {
        var buffer = new byte[16 * 1024];
        var text = new MemoryStream();
        long? exitedAt = null;
        while (true)
        {
            var n = error ? child.ReadError(buffer, 200) : child.Read(buffer, 200);
            if (n > 0)
            {
                text.Write(buffer, 0, n);
                continue;
            }
            if (n == 0)
            {
                break;
            }
            if (child.Exited.IsCompleted)
            {
                exitedAt ??= Stopwatch.GetTimestamp();
                if (Stopwatch.GetElapsedTime(exitedAt.Value) >= TimeSpan.FromSeconds(2))
                {
                    break;
                }
            }
        }
        return Encoding.UTF8.GetString(text.GetBuffer(), 0, (int)text.Length);
    }
}

using System.ComponentModel;
using System.Diagnostics;
using System.Text;
using Anvil.Runner.Execution;
using Anvil.Runner.Inputs;

namespace Anvil.Runner.Interface;

/// <summary>Runs a tool with stdout and stderr kept apart (the helpers need the JSON alone), stdin closed so a
/// prompt cannot hang it, and the whole process tree ended on cancel or timeout.</summary>
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

        var psi = new ProcessStartInfo(path)
        {
            WorkingDirectory = cwd,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        psi.Environment.Clear();
        foreach (var (k, v) in env)
        {
            psi.Environment[k] = v;
        }
        foreach (var a in arguments)
        {
            psi.ArgumentList.Add(a);
        }

        using var timeout = options.Timeout is { } t ? new CancellationTokenSource(t) : null;
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout?.Token ?? CancellationToken.None);
        using var process = new Process { StartInfo = psi };
        try
        {
            process.Start();
        }
        catch (Win32Exception)
        {
            return new AnsibleCommandResult("", $"The command was not found or was not executable: {program}.", 127);
        }
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
        try
        {
            await process.WaitForExitAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // It ended on its own meanwhile.
            }
            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            if (timeout?.IsCancellationRequested == true && !ct.IsCancellationRequested)
            {
                throw new TimeoutException($"{program} did not finish within {options.Timeout!.Value.TotalSeconds:0.###} s");
            }
            throw;
        }
        return new AnsibleCommandResult(await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false), process.ExitCode);
    }
}

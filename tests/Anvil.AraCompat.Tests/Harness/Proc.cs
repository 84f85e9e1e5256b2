using System.Diagnostics;
using System.Text;

namespace Anvil.AraCompat.Tests.Harness;

/// <summary>What a finished process left: exit code and its two output streams.</summary>
internal sealed record ProcResult(int ExitCode, string Stdout, string Stderr)
{
    public string Output => Stdout + Stderr;

    public override string ToString() =>
        $"exit {ExitCode}\n--- stdout ---\n{Tail(Stdout)}\n--- stderr ---\n{Tail(Stderr)}";

    // Failure messages stay readable: the end of a long ansible log is where the problem is.
    private static string Tail(string s) => s.Length <= 6000 ? s : "…" + s[^6000..];
}

/// <summary>Runs a real program (ansible-playbook, ara, ara-manage) to completion with a time limit.</summary>
internal static class Proc
{
    public static async Task<ProcResult> RunAsync(string fileName, IEnumerable<string> args,
        IReadOnlyDictionary<string, string?>? env = null, string? cwd = null, TimeSpan? timeout = null,
        CancellationToken ct = default)
    {
        var psi = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = cwd ?? Environment.CurrentDirectory,
        };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        foreach (var (k, v) in env ?? new Dictionary<string, string?>())
        {
            if (v is null)
            {
                psi.Environment.Remove(k);
            }
            else
            {
                psi.Environment[k] = v;
            }
        }
        using var p = new Process { StartInfo = psi };
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        p.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (stdout)
                {
                    stdout.Append(e.Data).Append('\n');
                }
            }
        };
        p.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (stderr)
                {
                    stderr.Append(e.Data).Append('\n');
                }
            }
        };
        p.Start();
        p.StandardInput.Close();
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(timeout ?? TimeSpan.FromMinutes(5));
        try
        {
            await p.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            p.Kill(entireProcessTree: true);
            await p.WaitForExitAsync(CancellationToken.None);
            throw new TimeoutException($"{fileName} {string.Join(' ', psi.ArgumentList)} did not finish in time\n" +
                new ProcResult(-1, stdout.ToString(), stderr.ToString()));
        }
        // WaitForExitAsync returns after the redirected streams reached end of file.
        return new ProcResult(p.ExitCode, stdout.ToString(), stderr.ToString());
    }
}

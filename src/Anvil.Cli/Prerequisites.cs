using System.Diagnostics;
using Anvil.Runner.Execution;

namespace Anvil.Cli;

/// <summary>Installs what a command needs from Debian packages when it is missing, saying what and why.</summary>
internal static class Prerequisites
{
    public static async Task<bool> EnsureAsync(TextWriter output, TextWriter error, CancellationToken ct,
        params (string Program, string Package, string Why)[] needs)
    {
        var missing = needs.Where(n => ExecutableSearch.Find(n.Program) is null).ToList();
        if (missing.Count == 0)
        {
            return true;
        }
        foreach (var (program, package, why) in missing)
        {
            await output.WriteLineAsync($"Installing {package} (Debian package): {program} is missing; {why}.");
        }
        if (Environment.UserName != "root" || ExecutableSearch.Find("apt-get") is null)
        {
            await error.WriteLineAsync("anvil: error: cannot install as a normal user; run: sudo apt-get install -y " +
                                       string.Join(' ', missing.Select(m => m.Package).Distinct()));
            return false;
        }
        var packages = string.Join(' ', missing.Select(m => m.Package).Distinct());
        var ok = await ShellAsync("apt-get update -qq || true; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq " + packages, ct);
        if (!ok)
        {
            await error.WriteLineAsync($"anvil: error: apt-get install {packages} failed");
        }
        return ok;
    }

    private static async Task<bool> ShellAsync(string script, CancellationToken ct)
    {
        using var p = Process.Start(new ProcessStartInfo("/bin/sh", ["-c", script]) { UseShellExecute = false })!;
        await p.WaitForExitAsync(ct);
        return p.ExitCode == 0;
    }
}

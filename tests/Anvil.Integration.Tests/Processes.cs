using System.Diagnostics;

namespace Anvil.Integration.Tests;

/// <summary>Looking at processes and files the way the tests need to.</summary>
internal static class Processes
{
    /// <summary>The pids of live processes whose command line contains <paramref name="text"/>.</summary>
    public static List<int> WithArgument(string text)
    {
        var found = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid) || pid == Environment.ProcessId)
            {
                continue;
            }
            try
            {
                var cmdline = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ');
                var state = File.ReadAllText(Path.Combine(dir, "stat")).Split(") ")[1][0];
                if (cmdline.Contains(text, StringComparison.Ordinal) && state != 'Z')
                {
                    found.Add(pid);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or IndexOutOfRangeException)
            {
            }
        }
        return found;
    }

    /// <summary>Runs a program to its end; returns its exit code and output (stdout and stderr).</summary>
    public static async Task<(int Rc, string Output)> RunAsync(string program, params string[] args)
    {
        var psi = new ProcessStartInfo(program, args) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await p.WaitForExitAsync(cts.Token);
        return (p.ExitCode, await stdout + await stderr);
    }

    /// <summary>Every file under <paramref name="dir"/> that contains <paramref name="secret"/>.</summary>
    public static List<string> FilesContaining(string dir, string secret) =>
        Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories)
            .Where(f => File.ReadAllText(f).Contains(secret, StringComparison.Ordinal))
            .ToList();

    /// <summary>The runner-side events' text (what the runner itself said).</summary>
    public static List<string> RunnerMessages(string artifactDir) =>
        Fixtures.ReadEvents(artifactDir)
            .Where(e => !e.TryGetProperty("event_data", out _))
            .Select(e => e.GetProperty("stdout").GetString()!)
            .ToList();
}

/// <summary>Tests that load the machine (100 MB of output, CPU measured per task) or measure it: they run alone,
/// after the others, so they neither disturb timing-sensitive tests nor get disturbed.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RunsAlone
{
    public const string Name = "Runs alone";
}

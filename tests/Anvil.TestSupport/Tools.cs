using System.Diagnostics;

namespace Anvil.Tests.Shared;

/// <summary>Real programs the tests run, and the one way a test states a program it needs.</summary>
public static class Tools
{
    /// <summary>Fails the test, naming the program and the Debian package that provides it, unless
    /// <paramref name="program"/> (a name looked up on PATH, or an absolute path) exists. A missing prerequisite is a
    /// failure with this message, never a silent skip.</summary>
    public static void Require(string program, string package)
    {
        var found = Path.IsPathRooted(program)
            ? File.Exists(program) || Directory.Exists(program)
            : (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(d => d.Length > 0 && File.Exists(Path.Combine(d, program)));
        if (!found)
        {
            throw new MissingPrerequisiteException($"{program} is required for this test (Debian package {package}: apt-get install {package})");
        }
    }

    /// <summary>Runs a program with a time limit; returns its exit code and output.</summary>
    public static async Task<(int Code, string Out, string Err)> RunAsync(string file, IEnumerable<string> args, string? cwd = null,
        IDictionary<string, string?>? env = null, TimeSpan? timeout = null)
    {
        var psi = new ProcessStartInfo(file, args)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = cwd ?? Directory.GetCurrentDirectory(),
        };
        foreach (var (k, v) in env ?? new Dictionary<string, string?>())
        {
            psi.Environment[k] = v;
        }
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {file}");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(5));
        try
        {
            await p.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish");
        }
        return (p.ExitCode, await stdout, await stderr);
    }
}

/// <summary>Something a test needs (a program, a package) is not installed.</summary>
public sealed class MissingPrerequisiteException(string message) : Exception(message);

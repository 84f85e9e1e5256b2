using System.Diagnostics;
using System.Text.Json;
using Anvil.Runner;
using Anvil.Runner.Events;

namespace Anvil.Integration.Tests;

/// <summary>Copies of the fixture private data dirs, and helpers to run them with Anvil and with the real
/// ansible-runner.</summary>
internal static class Fixtures
{
    public static string Root { get; } = FindRoot();

    public static string FixturePdd => Path.Combine(Root, "tests", "fixtures", "pdd");
    public static string DemoPdd => Path.Combine(Root, "examples", "demo");

    /// <summary>A private copy of a private data dir, removed on dispose.</summary>
    public static TempCopy Copy(string source) => new(source);

    public static async Task<RunResult> RunAnvilAsync(string pdd, string playbook, string ident = "anvil",
        Action<RunnerOptions>? check = null, Func<RunnerOptions, RunnerOptions>? configure = null)
    {
        var options = new RunnerOptions { PrivateDataDir = pdd, Playbook = playbook, Ident = ident };
        if (configure is not null)
        {
            options = configure(options);
        }
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        return await AnsibleRunner.RunAsync(options, cts.Token);
    }

    /// <summary>Runs the real ansible-runner; returns the artifact directory.</summary>
    public static async Task<string> RunReferenceAsync(string pdd, string playbook, string ident = "ref")
    {
        var psi = new ProcessStartInfo("ansible-runner", ["run", pdd, "-p", playbook, "-i", ident, "-q"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await p.WaitForExitAsync(cts.Token);
        await Task.WhenAll(stdout, stderr);
        return Path.Combine(pdd, "artifacts", ident);
    }

    public static List<JsonElement> ReadEvents(string artifactDir) =>
        JobEventReader.ListInOrder(Path.Combine(artifactDir, "job_events"))
            .Select(f => JsonDocument.Parse(File.ReadAllBytes(f)).RootElement.Clone())
            .ToList();

    public static string? Field(JsonElement ev, string name) =>
        ev.TryGetProperty("event_data", out var d) && d.ValueKind == JsonValueKind.Object &&
        d.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String
            ? v.GetString()
            : null;

    /// <summary>The stdout artifact must be exactly the events' stdout in counter order, each non-empty one plus
    /// a newline, and every event's line range must select its own text.</summary>
    public static void AssertStdoutMatchesEvents(string artifactDir)
    {
        var events = ReadEvents(artifactDir);
        var stdout = File.ReadAllText(Path.Combine(artifactDir, "stdout"));
        var rebuilt = string.Concat(events.Select(e => e.GetProperty("stdout").GetString())
            .Where(s => s!.Length > 0).Select(s => s + "\n"));
        Assert.Equal(stdout, rebuilt);
        var lines = stdout.Split('\n');
        var counter = 0L;
        foreach (var e in events)
        {
            var c = e.GetProperty("counter").GetInt64();
            Assert.True(c > counter, "counters increase");
            counter = c;
            var start = e.GetProperty("start_line").GetInt32();
            var end = e.GetProperty("end_line").GetInt32();
            Assert.Equal(e.GetProperty("stdout").GetString(), string.Join('\n', lines[start..end]));
        }
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Anvil.slnx")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("repository root (Anvil.slnx) not found");
    }
}

internal sealed class TempCopy : IDisposable
{
    public TempCopy(string source)
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "anvil-it-" + Guid.NewGuid().ToString("N")[..12]);
        CopyTree(source, Path);
    }

    public string Path { get; }

    public string Write(string relative, string content)
    {
        var full = System.IO.Path.Combine(Path, relative);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        File.WriteAllText(full, content);
        return full;
    }

    private static void CopyTree(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var dir in Directory.EnumerateDirectories(from))
        {
            if (System.IO.Path.GetFileName(dir) != "artifacts")
            {
                CopyTree(dir, System.IO.Path.Combine(to, System.IO.Path.GetFileName(dir)));
            }
        }
        foreach (var file in Directory.EnumerateFiles(from))
        {
            File.Copy(file, System.IO.Path.Combine(to, System.IO.Path.GetFileName(file)));
        }
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

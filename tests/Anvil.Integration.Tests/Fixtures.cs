using System.Diagnostics;
using System.Text.Json;
using Anvil.Runner;
using Anvil.Runner.Events;

namespace Anvil.Integration.Tests;

/// <summary>Copies of the fixture private data dirs, and helpers to run them with Anvil and with the real
/// ansible-runner.</summary>
internal static class Fixtures
{
    public static string FixturePdd => RepoPaths.FixturePdd;
    public static string DemoPdd => RepoPaths.DemoPdd;

    /// <summary>A private copy of a private data dir, removed on dispose.</summary>
    public static TempDir Copy(string source) => new(source);

    public static async Task<RunResult> RunAnvilAsync(string pdd, string playbook, string ident = "anvil",
        Action<RunnerOptions>? check = null, Func<RunnerOptions, RunnerOptions>? configure = null)
    {
        var options = new RunnerOptions { PrivateDataDir = pdd, Playbook = playbook.Length > 0 ? playbook : null, Ident = ident };
        if (configure is not null)
        {
            options = configure(options);
        }
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        return await AnsibleRunner.RunAsync(options, cts.Token);
    }

    /// <summary>Runs the real ansible-runner; returns the artifact directory.</summary>
    public static Task<string> RunReferenceAsync(string pdd, string playbook, string ident = "ref") =>
        RunReferenceAsync(pdd, ["-p", playbook], ident);

    /// <summary>Runs the real ansible-runner with these options for what to run (-p, -m, -r …).</summary>
    public static async Task<string> RunReferenceAsync(string pdd, IReadOnlyList<string> what, string ident = "ref")
    {
        var psi = new ProcessStartInfo("ansible-runner", ["run", pdd, .. what, "-i", ident, "-q"])
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
}

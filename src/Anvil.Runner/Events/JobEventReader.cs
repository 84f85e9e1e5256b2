using System.Text;
using System.Text.Json;

namespace Anvil.Runner.Events;

/// <summary>Reads job event files back (Anvil's or ansible-runner's).</summary>
public static class JobEventReader
{
    public static JobEvent Parse(ReadOnlySpan<byte> json)
    {
        using var doc = JsonDocument.Parse(json.ToArray());
        var root = doc.RootElement;
        ReadOnlyMemory<byte>? data = root.TryGetProperty("event_data", out var ed)
            ? Encoding.UTF8.GetBytes(ed.GetRawText())
            : null;
        return new JobEvent
        {
            Uuid = Str(root, "uuid") ?? "",
            Counter = Long(root, "counter") ?? 0,
            Stdout = Str(root, "stdout") ?? "",
            StartLine = Long(root, "start_line") ?? 0,
            EndLine = Long(root, "end_line") ?? 0,
            RunnerIdent = Str(root, "runner_ident") ?? "",
            Event = Str(root, "event") ?? EventNames.Verbose,
            Created = Str(root, "created") ?? "",
            Pid = (int?)Long(root, "pid"),
            ParentUuid = Str(root, "parent_uuid"),
            Verbosity = (int?)Long(root, "verbosity"),
            JobId = Long(root, "job_id"),
            AdHocCommandId = Long(root, "ad_hoc_command_id"),
            ProjectUpdateId = Long(root, "project_update_id"),
            EventDataJson = data,
        };
    }

    public static async Task<JobEvent> ReadFileAsync(string path, CancellationToken ct = default) =>
        Parse(await File.ReadAllBytesAsync(path, ct).ConfigureAwait(false));

    /// <summary>The event files of a <c>job_events/</c> directory in counter order.</summary>
    public static IEnumerable<string> ListInOrder(string jobEventsDirectory)
    {
        if (!Directory.Exists(jobEventsDirectory))
        {
            return [];
        }
        return Directory.EnumerateFiles(jobEventsDirectory, "*.json")
            .Select(p => (Path: p, Counter: CounterOf(Path.GetFileName(p))))
            .Where(x => x.Counter is not null)
            .OrderBy(x => x.Counter)
            .Select(x => x.Path);
    }

    internal static long? CounterOf(string fileName)
    {
        var dash = fileName.IndexOf('-');
        return dash > 0 && !fileName.Contains("-partial") && long.TryParse(fileName.AsSpan(0, dash), out var c)
            ? c
            : null;
    }

    private static string? Str(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static long? Long(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var l) ? l : null;
}

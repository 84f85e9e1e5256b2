using Anvil.Events;

namespace Anvil.Runner.Events;

/// <summary>Finds and reads the event files of a run's <c>job_events/</c> folder (Anvil's or ansible-runner's).</summary>
public static class JobEventReader
{
    /// <summary>Reads one event file (<c>job_events/&lt;counter&gt;-&lt;uuid&gt;.json</c>).</summary>
    public static async Task<JobEvent> ReadFileAsync(string path, CancellationToken ct = default) =>
        JobEventSerializer.Parse(await File.ReadAllBytesAsync(path, ct).ConfigureAwait(false));

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
}

using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using Anvil.Events;
using Anvil.Runner.Events;

namespace Anvil.Runner;

/// <summary>Final statuses, spelled as ansible-runner writes them.</summary>
public static class RunStatus
{
    public const string Unstarted = "unstarted";
    public const string Starting = "starting";
    public const string Running = "running";
    public const string Successful = "successful";
    public const string Failed = "failed";
    public const string Timeout = "timeout";
    public const string Canceled = "canceled";
}

/// <summary>The outcome of a finished run, with its artifacts on disk.</summary>
public sealed record RunResult
{
    public required string Ident { get; init; }
    public required string Status { get; init; }
    public required int Rc { get; init; }

    /// <summary><c>&lt;artifact dir&gt;/&lt;ident&gt;</c>.</summary>
    public required string ArtifactDir { get; init; }

    /// <summary>Per-host counts from <c>playbook_on_stats</c>; null only when Ansible never got that far.</summary>
    public PlaybookStats? Stats { get; init; }

    /// <summary>Which limit ended the run when <see cref="Status"/> is <c>timeout</c>: <c>job_timeout</c> or
    /// <c>idle_timeout</c>.</summary>
    public string? TimeoutReason { get; init; }

    /// <summary>Number of events produced (including any an event handler dropped).</summary>
    public long EventCount { get; init; }

    public string JobEventsDir => Path.Combine(ArtifactDir, "job_events");

    /// <summary>The events as written to <c>job_events/</c>, in counter order, read from disk one at a time.</summary>
    public async IAsyncEnumerable<JobEvent> Events([EnumeratorCancellation] CancellationToken ct = default)
    {
        foreach (var path in JobEventReader.ListInOrder(JobEventsDir))
        {
            yield return await JobEventReader.ReadFileAsync(path, ct).ConfigureAwait(false);
        }
    }

    /// <summary>Events whose <c>event_data.host</c> is <paramref name="host"/>.</summary>
    public async IAsyncEnumerable<JobEvent> HostEvents(string host, [EnumeratorCancellation] CancellationToken ct = default)
    {
        await foreach (var e in Events(ct).ConfigureAwait(false))
        {
            if (e.Host == host)
            {
                yield return e;
            }
        }
    }

    /// <summary>The facts cached for <paramref name="host"/> (jsonfile cache), or null when none were gathered.</summary>
    public JsonObject? GetFactCache(string host, string factCacheDir = "fact_cache")
    {
        var path = Path.Combine(ArtifactDir, factCacheDir, host);
        return File.Exists(path) ? JsonNode.Parse(File.ReadAllText(path)) as JsonObject : null;
    }

    /// <summary>The console text of the run (the <c>stdout</c> artifact).</summary>
    public string Stdout
    {
        get
        {
            var path = Path.Combine(ArtifactDir, "stdout");
            return File.Exists(path) ? File.ReadAllText(path) : "";
        }
    }
}

using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using Anvil.Events;
using Anvil.Runner.Events;

namespace Anvil.Runner;

/// <summary>Final statuses, spelled as ansible-runner writes them.</summary>
public static class RunStatus
{
    /// <summary>Not started yet.</summary>
    public const string Unstarted = "unstarted";
    /// <summary>Preparing the job; the command is known.</summary>
    public const string Starting = "starting";
    /// <summary>Ansible is running.</summary>
    public const string Running = "running";
    /// <summary>Ansible exited with rc 0.</summary>
    public const string Successful = "successful";
    /// <summary>Ansible exited with a non-zero rc, or could not be started.</summary>
    public const string Failed = "failed";
    /// <summary>Ended by <c>job_timeout</c>, <c>idle_timeout</c> or <c>pexpect_timeout</c> (rc 254).</summary>
    public const string Timeout = "timeout";
    /// <summary>Ended by cancellation (rc 254).</summary>
    public const string Canceled = "canceled";
}

/// <summary>The outcome of a finished run, with its artifacts on disk.</summary>
public sealed record RunResult
{
    /// <summary>The run's ident: the name of its artifact directory.</summary>
    public required string Ident { get; init; }
    /// <summary>The final status, one of <see cref="RunStatus"/> (<c>artifacts/&lt;ident&gt;/status</c>).</summary>
    public required string Status { get; init; }
    /// <summary>The exit code (<c>artifacts/&lt;ident&gt;/rc</c>); 254 for a timeout or cancel.</summary>
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

    /// <summary>Full path of the run's <c>job_events/</c> folder.</summary>
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

using System.Runtime.CompilerServices;
using Anvil.Events;
using Anvil.Runner.Events;

namespace Anvil.Runner.Execution;

/// <summary>
/// Lets any number of readers follow the events of a running job without the job holding all of them in memory:
/// the most recent written events are kept in a fixed-size ring; a reader that falls further behind catches up
/// from the files in <c>job_events/</c>.
/// </summary>
internal sealed class EventJournal
{
    private const int Capacity = 2048;
    private const int MaxCachedStdout = 64 * 1024;

    private readonly (long Seq, long Counter, string Path, JobEvent? Event)[] _ring = new (long, long, string, JobEvent?)[Capacity];
    private readonly object _lock = new();
    private readonly string _jobEventsDir;
    private long _written; // number of entries ever appended
    private int _readers;   // while nobody reads, only file paths are kept
    private bool _completed;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public EventJournal(string jobEventsDir) => _jobEventsDir = jobEventsDir;

    public void Append(JobEvent e, string path)
    {
        TaskCompletionSource signal;
        lock (_lock)
        {
            var seq = _written++;
            // Large events are re-read from their file instead of being pinned in memory.
            var keep = _readers > 0 && e.Stdout.Length <= MaxCachedStdout && (e.EventDataJson?.Length ?? 0) <= MaxCachedStdout;
            _ring[seq % Capacity] = (seq, e.Counter, path, keep ? e : null);
            signal = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        signal.TrySetResult();
    }

    public void Complete()
    {
        TaskCompletionSource signal;
        lock (_lock)
        {
            _completed = true;
            signal = _changed;
        }
        signal.TrySetResult();
    }

    public async IAsyncEnumerable<JobEvent> ReadAllAsync([EnumeratorCancellation] CancellationToken ct = default)
    {
        Interlocked.Increment(ref _readers);
        try
        {
            await foreach (var e in ReadCoreAsync(ct).ConfigureAwait(false))
            {
                yield return e;
            }
        }
        finally
        {
            Interlocked.Decrement(ref _readers);
        }
    }

    private async IAsyncEnumerable<JobEvent> ReadCoreAsync([EnumeratorCancellation] CancellationToken ct)
    {
        long next = 0;
        long lastCounter = 0;
        while (true)
        {
            Task wait;
            var batch = new List<(long Counter, string Path, JobEvent? Event)>();
            bool completed;
            bool fellBehind = false;
            lock (_lock)
            {
                completed = _completed;
                wait = _changed.Task;
                var oldest = Math.Max(0, _written - Capacity);
                if (next < oldest)
                {
                    fellBehind = true;
                    next = oldest;
                }
                for (; next < _written; next++)
                {
                    var entry = _ring[next % Capacity];
                    batch.Add((entry.Counter, entry.Path, entry.Event));
                }
            }
            if (fellBehind)
            {
                var limit = batch.Count > 0 ? batch[0].Counter : long.MaxValue;
                foreach (var path in JobEventReader.ListInOrder(_jobEventsDir))
                {
                    var c = JobEventReader.CounterOf(Path.GetFileName(path)) ?? 0;
                    if (c > lastCounter && c < limit)
                    {
                        lastCounter = c;
                        yield return await JobEventReader.ReadFileAsync(path, ct).ConfigureAwait(false);
                    }
                }
            }
            foreach (var (counter, path, cached) in batch)
            {
                lastCounter = counter;
                yield return cached ?? await JobEventReader.ReadFileAsync(path, ct).ConfigureAwait(false);
            }
            if (completed && batch.Count == 0)
            {
                yield break;
            }
            if (batch.Count == 0)
            {
                await wait.WaitAsync(ct).ConfigureAwait(false);
            }
        }
    }
}

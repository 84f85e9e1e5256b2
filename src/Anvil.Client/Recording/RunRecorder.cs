using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Threading.Channels;
using Anvil.Events;
using Anvil.Records.Ingest;
using Anvil.Data;

namespace Anvil.Client.Recording;

/// <summary>Tuning of a <see cref="RunRecorder"/>, with the defaults it uses.</summary>
public sealed record RecorderOptions
{
    /// <summary>Most events per batch. Default: 500.</summary>
    public int MaxBatchEvents { get; init; } = 500;

    /// <summary>How long an event may wait for more to fill its batch. Default: 200 ms.</summary>
    public TimeSpan FlushInterval { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Between attempts to replay spooled batches. Default: 1 s.</summary>
    public TimeSpan RetryInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Where undeliverable batches wait, one folder per run. Default: <c>$ANVIL_HOME/spool</c>.</summary>
    public string SpoolDirectory { get; init; } = Path.Combine(AnvilDatabase.Home, "spool");
}

/// <summary>The end of a recording: everything stored, or some of it still waiting in the spool.</summary>
public sealed record RecordingOutcome(bool Complete, long? PlaybookId, string Target, string? SpoolPath, string? LastError);

/// <summary>
/// Records one run while it happens. The runner hands it each event (<see cref="Add"/> never blocks); a background
/// loop groups them into batches and sends them to an <see cref="IIngestSink"/>. When the sink cannot be reached,
/// batches are written to a spool folder, in order, and replayed as soon as it answers again; nothing is lost and
/// nothing is stored twice (the ingestor skips events it already has).
/// </summary>
public sealed class RunRecorder
{
    private readonly IIngestSink _sink;
    private readonly RecorderOptions _options;
    private readonly Channel<JobEvent> _events = Channel.CreateUnbounded<JobEvent>(new() { SingleReader = true });
    private readonly HashSet<string> _sentFiles = new(StringComparer.Ordinal);
    private readonly string _spool;
    private readonly Task _loop;
    private readonly CancellationTokenSource _givenUp = new();
    private RunInfo _run;
    private string? _finalStatus;
    private long _spoolSeq;
    private long _playbookId; // 0 until the first batch is stored
    private string? _lastError;

    /// <summary>Starts the background loop that sends batches to <paramref name="sink"/>.</summary>
    /// <param name="sink">Where batches are stored.</param>
    /// <param name="run">The run being recorded; its ident names the spool folder.</param>
    /// <param name="options">Batching, retry and spool settings; <see langword="null"/> for the defaults.</param>
    public RunRecorder(IIngestSink sink, RunInfo run, RecorderOptions? options = null)
    {
        _sink = sink;
        _run = run;
        _options = options ?? new RecorderOptions();
        _spool = Path.Combine(_options.SpoolDirectory, SafeName(run.Ident));
        _loop = Task.Run(LoopAsync);
    }

    /// <summary>The playbook's record id, once the first batch is stored.</summary>
    public long? PlaybookId => Interlocked.Read(ref _playbookId) is var id && id > 0 ? id : null;

    /// <summary>Queues an event; returns at once.</summary>
    public void Add(JobEvent e) => _events.Writer.TryWrite(e);

    /// <summary>Sends what is left with the run's final status and waits, at most <paramref name="maxWait"/>, until
    /// every batch is stored.</summary>
    public async Task<RecordingOutcome> CompleteAsync(string finalStatus, TimeSpan maxWait, CancellationToken ct = default)
    {
        _finalStatus = finalStatus;
        _events.Writer.TryComplete();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(maxWait);
        try
        {
            await _loop.WaitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Out of time: stop retrying, so that what is left in the spool is a leftover that the next recording
            // run (this process or another) replays, rather than a folder two senders fight over.
            await _givenUp.CancelAsync().ConfigureAwait(false);
            await _loop.ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
        }
        if (_loop.IsCompleted)
        {
            // Whatever is left in the spool is now another process's to replay.
            _spoolLock?.Dispose();
            _spoolLock = null;
        }
        var complete = _loop.IsCompletedSuccessfully && !Directory.Exists(_spool);
        return new RecordingOutcome(complete, PlaybookId, _sink.Target, complete ? null : _spool, _lastError);
    }

    private async Task LoopAsync()
    {
        var reader = _events.Reader;
        var batch = new List<JobEvent>();
        var files = new Dictionary<string, string>(StringComparer.Ordinal);
        var firstQueued = 0L;
        while (true)
        {
            while (batch.Count < _options.MaxBatchEvents && reader.TryRead(out var e))
            {
                if (batch.Count == 0)
                {
                    firstQueued = Stopwatch.GetTimestamp();
                }
                Observe(e, files);
                // The event itself: written to JSON only if it goes over HTTP or to the spool.
                batch.Add(e);
            }
            var done = reader.Completion.IsCompleted;
            var due = batch.Count >= _options.MaxBatchEvents ||
                      batch.Count > 0 && Stopwatch.GetElapsedTime(firstQueued) >= _options.FlushInterval;
            if (done || due)
            {
                await DeliverAsync(new IngestBatch
                {
                    Run = _run,
                    Events = batch.ToArray(),
                    Files = new Dictionary<string, string>(files),
                    FinalStatus = done ? _finalStatus ?? "failed" : null,
                }).ConfigureAwait(false);
                batch.Clear();
                files.Clear();
                if (done)
                {
                    await DrainSpoolAsync(untilEmpty: true).ConfigureAwait(false);
                    return;
                }
                continue;
            }
            var wait = batch.Count == 0 ? Timeout.InfiniteTimeSpan : _options.FlushInterval - Stopwatch.GetElapsedTime(firstQueued);
            if (Directory.Exists(_spool) && (wait == Timeout.InfiniteTimeSpan || wait > _options.RetryInterval))
            {
                wait = _options.RetryInterval;
            }
            var more = reader.WaitToReadAsync().AsTask();
            if (wait == Timeout.InfiniteTimeSpan)
            {
                await more.ConfigureAwait(false);
            }
            else if (wait > TimeSpan.Zero)
            {
                await Task.WhenAny(more, Task.Delay(wait)).ConfigureAwait(false);
            }
            if (Directory.Exists(_spool))
            {
                await DrainSpoolAsync(untilEmpty: false).ConfigureAwait(false);
            }
        }
    }

    private void Observe(JobEvent e, Dictionary<string, string> files)
    {
        if (e.Event == EventNames.PlaybookOnStart && e.MetaJson is not null)
        {
            var root = e.Meta;
            _run = _run with
            {
                AnsibleVersion = root.TryGetProperty("ansible_version", out var a) && a.GetString() is { } av ? av : _run.AnsibleVersion,
                PythonVersion = root.TryGetProperty("python_version", out var p) ? p.GetString() : _run.PythonVersion,
            };
        }
        if (e.Event == EventNames.PlaybookOnStart)
        {
            AddFile(_run.Path, files);
        }
        if (!e.IsRunnerSide && e.StringField("task_path") is { Length: > 0 } taskPath)
        {
            var colon = taskPath.LastIndexOf(':');
            AddFile(colon > 0 ? taskPath[..colon] : taskPath, files);
        }
    }

    private void AddFile(string path, Dictionary<string, string> files)
    {
        if (!_sentFiles.Add(path))
        {
            return;
        }
        try
        {
            var info = new FileInfo(path);
            files[path] = info.Exists && info.Length <= 4 * 1024 * 1024 ? File.ReadAllText(path) : "";
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            files[path] = "";
        }
    }

    private async Task DeliverAsync(IngestBatch batch)
    {
        if (Directory.Exists(_spool))
        {
            // Earlier batches are waiting: this one queues behind them to keep the order.
            Spool(batch);
            await DrainSpoolAsync(untilEmpty: false).ConfigureAwait(false);
            return;
        }
        if (!await TrySendAsync(batch).ConfigureAwait(false))
        {
            Spool(batch);
        }
    }

    private async Task<bool> TrySendAsync(IngestBatch batch)
    {
        try
        {
            var result = await _sink.SendAsync(batch).ConfigureAwait(false);
            Interlocked.Exchange(ref _playbookId, result.PlaybookId);
            _lastError = null;
            return true;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            _lastError = e.Message;
            return false;
        }
    }

    private void Spool(IngestBatch batch)
    {
        ClaimSpool();
        var path = Path.Combine(_spool, (++_spoolSeq).ToString("D8", CultureInfo.InvariantCulture) + ".json");
        var tmp = path + ".tmp";
        File.WriteAllBytes(tmp, IngestSerialization.Serialize(batch));
        File.Move(tmp, path, overwrite: true);
    }

    /// <summary>Sends spooled batches in order; stops at the first failure (or keeps retrying when asked to).</summary>
    private async Task DrainSpoolAsync(bool untilEmpty)
    {
        while (Directory.Exists(_spool))
        {
            var next = Directory.EnumerateFiles(_spool, "*.json").Order(StringComparer.Ordinal).FirstOrDefault();
            if (next is null)
            {
                Directory.Delete(_spool, recursive: true);
                _spoolLock?.Dispose();
                _spoolLock = null;
                return;
            }
            var batch = IngestSerialization.DeserializeBatch(await File.ReadAllBytesAsync(next).ConfigureAwait(false));
            if (await TrySendAsync(batch).ConfigureAwait(false))
            {
                File.Delete(next);
                continue;
            }
            if (!untilEmpty || _givenUp.IsCancellationRequested)
            {
                return;
            }
            try
            {
                await Task.Delay(_options.RetryInterval, _givenUp.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private const string LockName = ".lock";
    private const string TargetName = "target";
    private FileStream? _spoolLock;

    /// <summary>Creates this run's spool folder, locked for as long as the recorder lives, and says where its batches
    /// were going. The folder gets its name only once locked, so another process never sees it unclaimed.</summary>
    private void ClaimSpool()
    {
        if (_spoolLock is not null && Directory.Exists(_spool))
        {
            return;
        }
        _spoolLock?.Dispose();
        if (Directory.Exists(_spool))
        {
            // Left by an earlier process with the same ident (its lock died with it): carry on after its batches.
            _spoolLock = TryLock(_spool);
            _spoolSeq = Math.Max(_spoolSeq, Directory.EnumerateFiles(_spool, "*.json").Count());
            return;
        }
        var staging = _spool + ".new-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        Directory.CreateDirectory(staging);
        var held = TryLock(staging) ?? throw new IOException($"cannot lock the new spool folder {staging}");
        File.WriteAllText(Path.Combine(staging, TargetName), _sink.Target);
        Directory.Move(staging, _spool);
        _spoolLock = held;
    }

    /// <summary>An exclusive lock on the folder's lock file, or null when a live recorder holds it.</summary>
    private static FileStream? TryLock(string folder)
    {
        try
        {
            return new FileStream(Path.Combine(folder, LockName), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>Sends the batches that runs of earlier processes left in the spool for this same target. A folder whose
    /// recorder is still alive (another run, going on right now) or that was meant for another target is left alone.
    /// Returns the runs completed.</summary>
    public static async Task<int> ReplayLeftoversAsync(IIngestSink sink, string spoolDirectory, CancellationToken ct = default)
    {
        if (!Directory.Exists(spoolDirectory))
        {
            return 0;
        }
        var completed = 0;
        foreach (var run in Directory.EnumerateDirectories(spoolDirectory).Order(StringComparer.Ordinal))
        {
            if (Path.GetFileName(run).Contains(".new-", StringComparison.Ordinal))
            {
                continue;
            }
            var targetFile = Path.Combine(run, TargetName);
            if (File.Exists(targetFile) && File.ReadAllText(targetFile) != sink.Target)
            {
                continue;
            }
            using var held = TryLock(run);
            if (held is null)
            {
                continue;
            }
            var ok = true;
            foreach (var file in Directory.EnumerateFiles(run, "*.json").Order(StringComparer.Ordinal))
            {
                ct.ThrowIfCancellationRequested();
                try
                {
                    var batch = IngestSerialization.DeserializeBatch(await File.ReadAllBytesAsync(file, ct).ConfigureAwait(false));
                    await sink.SendAsync(batch, ct).ConfigureAwait(false);
                    File.Delete(file);
                }
                catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException)
                {
                    ok = false;
                    break;
                }
            }
            if (ok)
            {
                Directory.Delete(run, recursive: true);
                completed++;
            }
        }
        return completed;
    }

    private static string SafeName(string ident) =>
        string.Concat(ident.Select(ch => char.IsAsciiLetterOrDigit(ch) || ch is '-' or '_' or '.' ? ch : '_'));
}

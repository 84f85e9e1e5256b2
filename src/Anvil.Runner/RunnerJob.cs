using System.Buffers;
using System.ComponentModel;
using System.Diagnostics;
using System.Text;
using System.Threading.Channels;
using Anvil.Runner.Artifacts;
using Anvil.Runner.Events;
using Anvil.Runner.Execution;
using Anvil.Runner.Inputs;

namespace Anvil.Runner;

/// <summary>
/// A run in progress. Data flows one way: Ansible's output → <see cref="MarkerStreamParser"/> →
/// <see cref="JobEventAssembler"/> (on a reader thread that does nothing else) → a channel → the dispatcher, which
/// echoes, calls handlers and writes artifacts. A slow handler therefore never slows Ansible down.
/// </summary>
public sealed class RunnerJob
{
    /// <summary>How long the job gets between SIGTERM and SIGKILL when it is canceled or times out.</summary>
    public static readonly TimeSpan TerminationGrace = TimeSpan.FromSeconds(3);

    /// <summary>After Ansible exits, how long to wait for processes it left behind to close the output.</summary>
    private static readonly TimeSpan DrainAfterExit = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan CoalesceOutput = TimeSpan.FromMilliseconds(10);

    private readonly RunnerOptions _options;
    private readonly JobPlan _plan;
    private readonly EventJournal _journal;
    private readonly CancellationTokenSource _cancel;
    private string _status = RunStatus.Unstarted;
    private string? _timeoutReason;
    private volatile bool _canceledByUser;

    internal RunnerJob(RunnerOptions options, JobPlan plan, CancellationToken ct)
    {
        _options = options;
        _plan = plan;
        _journal = new EventJournal(Path.Combine(plan.ArtifactDir, "job_events"));
        _cancel = CancellationTokenSource.CreateLinkedTokenSource(ct);
        Completion = Task.Run(RunAsync, CancellationToken.None);
    }

    public string Ident => _plan.Ident;
    public string ArtifactDir => _plan.ArtifactDir;
    public JobPlan Plan => _plan;

    /// <summary>The current status: <c>unstarted</c>, <c>starting</c>, <c>running</c>, then a final one.</summary>
    public string Status => Volatile.Read(ref _status);

    /// <summary>Completes when the run is over and every artifact is written.</summary>
    public Task<RunResult> Completion { get; }

    /// <summary>The events as they are written, from the first, for as long as the run lasts. Each call is an
    /// independent reader; readers may start late.</summary>
    public IAsyncEnumerable<JobEvent> Events(CancellationToken ct = default) => _journal.ReadAllAsync(ct);

    /// <summary>Ends the run: SIGTERM to the whole job, SIGKILL after <see cref="TerminationGrace"/>; status
    /// <c>canceled</c>.</summary>
    public void Cancel()
    {
        _canceledByUser = true;
        _cancel.Cancel();
    }

    private async Task<RunResult> RunAsync()
    {
        var ct = _cancel.Token;
        var settings = _plan.Settings;
        await using var store = ArtifactStore.Create(_plan.ArtifactDir, !settings.SuppressOutputFile);
        store.WriteCommand(_plan.RedactedCommand, _plan.Cwd, _plan.RedactedEnvironment);
        ArtifactStore.Rotate(_plan.ArtifactRoot, _options.RotateArtifacts);
        WritePrivateFiles();

        var channel = Channel.CreateUnbounded<List<JobEvent>>(new UnboundedChannelOptions
        {
            SingleReader = true,
            SingleWriter = true,
        });
        PlaybookStats? stats = null;
        var dispatcher = Task.Run(async () => stats = await DispatchAsync(channel.Reader, store).ConfigureAwait(false),
            CancellationToken.None);

        var batch = new EventBatch(channel.Writer);
        var assembler = new JobEventAssembler(_plan.Ident, batch.Add);
        int rc;
        string status;
        try
        {
            await SetStatusAsync(RunStatus.Starting, includeCommand: true).ConfigureAwait(false);
            var executable = ExecutableSearch.Find(_plan.Command[0], _plan.Environment);
            ChildProcess? child = null;
            if (executable is not null)
            {
                try
                {
                    child = ChildProcess.Start(executable, _plan.Command, _plan.Environment, _plan.Cwd);
                }
                catch (Win32Exception)
                {
                    child = null;
                }
            }
            if (child is null)
            {
                assembler.EmitRunnerVerbose($"The command was not found or was not executable: {_plan.Command[0]}.");
                batch.Publish();
                rc = 127;
                status = RunStatus.Failed;
            }
            else
            {
                using (child)
                {
                    await SetStatusAsync(RunStatus.Running).ConfigureAwait(false);
                    rc = await SuperviseAsync(child, assembler, batch, ct).ConfigureAwait(false);
                }
                if (_canceledByUser || (ct.IsCancellationRequested && _timeoutReason is null))
                {
                    status = RunStatus.Canceled;
                    rc = 254;
                }
                else if (_timeoutReason is not null)
                {
                    status = RunStatus.Timeout;
                    rc = 254;
                }
                else
                {
                    status = rc == 0 ? RunStatus.Successful : RunStatus.Failed;
                    if (rc < 0)
                    {
                        rc = 128 - rc; // Killed by signal N: the shell's 128+N.
                    }
                }
            }
        }
        finally
        {
            channel.Writer.TryComplete();
            await dispatcher.ConfigureAwait(false);
            _journal.Complete();
            DeletePrivateFiles();
        }

        if (_timeoutReason is not null)
        {
            store.WriteFile("timeout_reason", _timeoutReason);
        }
        store.WriteStatus(status, rc);
        await SetStatusAsync(status).ConfigureAwait(false);
        var result = new RunResult
        {
            Ident = _plan.Ident,
            Status = status,
            Rc = rc,
            ArtifactDir = _plan.ArtifactDir,
            Stats = stats,
            TimeoutReason = _timeoutReason,
            EventCount = assembler.Counter,
        };
        if (_options.FinishedHandler is { } finished)
        {
            await finished(result, CancellationToken.None).ConfigureAwait(false);
        }
        return result;
    }

    /// <summary>Reads the child's output to its end, enforcing timeouts and cancellation; returns the exit code.</summary>
    private async Task<int> SuperviseAsync(ChildProcess child, JobEventAssembler assembler, EventBatch batch,
        CancellationToken ct)
    {
        var settings = _plan.Settings;
        var jobTimeout = settings.JobTimeout;
        var idleTimeout = settings.IdleTimeout;
        var terminate = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var onCancel = ct.Register(() => terminate.TrySetResult("canceled"));

        var reader = Task.Factory.StartNew(() => ReadOutput(child, assembler, batch, idleTimeout, terminate),
            CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

        using var jobTimer = jobTimeout is { } jt
            ? new Timer(_ => terminate.TrySetResult("job_timeout"), null, jt, Timeout.InfiniteTimeSpan)
            : null;
        await Task.WhenAny(child.Exited, terminate.Task).ConfigureAwait(false);
        if (terminate.Task.IsCompleted && !child.Exited.IsCompleted)
        {
            var reason = await terminate.Task.ConfigureAwait(false);
            if (reason is "job_timeout" or "idle_timeout")
            {
                _timeoutReason = reason;
            }
            await TerminateAsync(child).ConfigureAwait(false);
        }
        var rc = await child.Exited.ConfigureAwait(false);
        await reader.ConfigureAwait(false);
        return rc;
    }

    private static async Task TerminateAsync(ChildProcess child)
    {
        child.SignalGroup(Native.SIGTERM);
        await Task.WhenAny(child.Exited, Task.Delay(TerminationGrace)).ConfigureAwait(false);
        // Past the grace period, or Ansible is gone: nothing left in its group survives.
        child.SignalGroup(Native.SIGKILL);
    }

    private static void ReadOutput(ChildProcess child, JobEventAssembler assembler, EventBatch batch, TimeSpan? idleTimeout,
        TaskCompletionSource<string> terminate)
    {
        var parser = new MarkerStreamParser(assembler);
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            var lastOutput = Stopwatch.GetTimestamp();
            long? exitedAt = null;
            while (true)
            {
                var n = child.Read(buffer, 200);
                if (n > 0)
                {
                    parser.Feed(buffer.AsSpan(0, n));
                    batch.Publish();
                    lastOutput = Stopwatch.GetTimestamp();
                    if (n < buffer.Length / 2)
                    {
                        // Ansible writes each event in several small pieces; waking for every one of them cost
                        // more CPU (on a machine Ansible's forks already keep busy) than the events themselves.
                        Thread.Sleep(CoalesceOutput);
                    }
                    continue;
                }
                if (n == 0)
                {
                    break;
                }
                // Nothing for 200 ms: check the idle limit, and whether Ansible has exited while something it
                // started keeps the output open.
                if (idleTimeout is { } idle && Stopwatch.GetElapsedTime(lastOutput) >= idle)
                {
                    terminate.TrySetResult("idle_timeout");
                    lastOutput = Stopwatch.GetTimestamp() + TimeSpan.FromDays(1).Ticks; // fire once
                }
                if (child.Exited.IsCompleted)
                {
                    exitedAt ??= Stopwatch.GetTimestamp();
                    if (Stopwatch.GetElapsedTime(exitedAt.Value) >= DrainAfterExit)
                    {
                        break;
                    }
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            parser.Flush();
            assembler.Complete();
            batch.Publish();
        }
    }

    private async Task<PlaybookStats?> DispatchAsync(ChannelReader<List<JobEvent>> batches, ArtifactStore store)
    {
        PlaybookStats? stats = null;
        var output = _plan.Settings.SuppressAnsibleOutput ? null : _options.Output;
        var handler = _options.EventHandler;
        var json = new ArrayBufferWriter<byte>(1024);
        while (await batches.WaitToReadAsync().ConfigureAwait(false))
        {
            while (batches.TryRead(out var batch))
            {
                foreach (var e in batch)
                {
                    if (_options.JsonMode)
                    {
                        json.ResetWrittenCount();
                        JobEventSerializer.Write(json, e);
                        store.AppendStdoutLine(json.WrittenSpan);
                        output?.WriteLine(Encoding.UTF8.GetString(json.WrittenSpan));
                    }
                    else
                    {
                        store.AppendStdout(e);
                        if (output is not null && e.Stdout.Length > 0)
                        {
                            output.WriteLine(e.Stdout);
                        }
                    }
                    if (e.Event == EventNames.PlaybookOnStats && !e.IsRunnerSide)
                    {
                        stats = PlaybookStats.FromEventData(e.EventData);
                    }
                    if (handler is not null && !await handler(e, CancellationToken.None).ConfigureAwait(false))
                    {
                        continue;
                    }
                    var path = store.WriteEvent(e);
                    _journal.Append(e, path);
                }
            }
            // Caught up with Ansible: make what we have visible.
            store.FlushStdout();
            output?.Flush();
        }
        return stats;
    }

    private async Task SetStatusAsync(string status, bool includeCommand = false)
    {
        Volatile.Write(ref _status, status);
        if (_options.StatusHandler is { } handler)
        {
            var change = new RunnerStatusChange(status, _plan.Ident)
            {
                Command = includeCommand ? _plan.RedactedCommand : null,
                Cwd = includeCommand ? _plan.Cwd : null,
            };
            await handler(change, CancellationToken.None).ConfigureAwait(false);
        }
    }

    private void WritePrivateFiles()
    {
        if (_plan.PrivateTempDir is { } dir)
        {
            Directory.CreateDirectory(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        foreach (var (path, content) in _plan.PrivateFiles)
        {
            ArtifactStore.WriteAtomically(path, Encoding.UTF8.GetBytes(content));
        }
    }

    private void DeletePrivateFiles()
    {
        foreach (var path in _plan.PrivateFiles.Keys)
        {
            File.Delete(path);
        }
        if (_plan.PrivateTempDir is { } dir && Directory.Exists(dir))
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>Events the reader assembled from one read, handed to the dispatcher together: one wake-up per read
    /// instead of one per event.</summary>
    private sealed class EventBatch(ChannelWriter<List<JobEvent>> writer)
    {
        private List<JobEvent>? _pending;

        public void Add(JobEvent e) => (_pending ??= []).Add(e);

        public void Publish()
        {
            if (_pending is { Count: > 0 } pending)
            {
                writer.TryWrite(pending);
                _pending = null;
            }
        }
    }
}

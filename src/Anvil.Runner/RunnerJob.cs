using System.Buffers;
using System.ComponentModel;
using System.Diagnostics;
using System.Text;
using System.Threading.Channels;
using Anvil.Events;
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

    /// <summary>How often <see cref="RunnerOptions.CancelCallback"/> is asked (ansible-runner: every 5 s).</summary>
    private static readonly TimeSpan CancelCallbackInterval = TimeSpan.FromMilliseconds(250);

    private readonly RunnerOptions _options;
    private readonly JobPlan _plan;
    private readonly EventJournal _journal;
    private readonly CancellationTokenSource _cancel;
    private string _status = RunStatus.Unstarted;
    private string? _timeoutReason;
    private volatile bool _canceledByUser;

    // The first artifact that could not be written: it ends the job (a run whose events cannot be kept is not
    // let go on) and the run's completion with it.
    private ArtifactWriteException? _artifactFailure;

    internal RunnerJob(RunnerOptions options, JobPlan plan, CancellationToken ct)
    {
        _options = options;
        _plan = plan;
        _journal = new EventJournal(Path.Combine(plan.ArtifactDir, "job_events"));
        _cancel = CancellationTokenSource.CreateLinkedTokenSource(ct);
        Completion = Task.Run(RunAsync, CancellationToken.None);
    }

    /// <summary>The run's ident.</summary>
    public string Ident => _plan.Ident;
    /// <summary>The run's artifact directory, <c>&lt;artifact dir&gt;/&lt;ident&gt;</c>.</summary>
    public string ArtifactDir => _plan.ArtifactDir;
    /// <summary>What the job executes.</summary>
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
        // Nothing has started yet when these fail: the ArtifactWriteException ends the run as it is.
        await using var store = ArtifactStore.Create(_plan.ArtifactDir, !settings.SuppressOutputFile);
        store.WriteCommand(_plan.RedactedCommand, _plan.Cwd, _plan.RedactedEnvironment);
        ArtifactStore.Rotate(_plan.ArtifactRoot, _options.RotateArtifacts);

        var channel = Channel.CreateUnbounded<List<JobEvent>>(new UnboundedChannelOptions
        {
            SingleReader = true,
            SingleWriter = true,
        });
        var setup = new JobSetup(_plan, _options.Time);
        PlaybookStats? stats = null;
        var dispatcher = Task.Run(async () => stats = await DispatchAsync(channel.Reader, store, setup).ConfigureAwait(false),
            CancellationToken.None);

        var batch = new EventBatch(channel.Writer);
        var assembler = new JobEventAssembler(_plan.Ident, batch.Add, () => Timestamps.NowNaiveUtc(_options.Time));
        int rc;
        string status;
        try
        {
            await SetStatusAsync(RunStatus.Starting, includeCommand: true).ConfigureAwait(false);
            (rc, status) = await LaunchAsync(setup, assembler, batch, ct).ConfigureAwait(false);
        }
        finally
        {
            channel.Writer.TryComplete();
            await dispatcher.ConfigureAwait(false);
            _journal.Complete();
            await setup.DisposeAsync().ConfigureAwait(false);
        }

        if (_artifactFailure is { } failure)
        {
            status = RunStatus.Failed;
            store.Abandon();
            try
            {
                store.WriteStatus(status, rc);
            }
            catch (ArtifactWriteException)
            {
                // Written where the disk allows; the first failure is the one to report.
            }
            await SetStatusAsync(status).ConfigureAwait(false);
            throw failure;
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

    /// <summary>Prepares the run, starts Ansible (on a terminal when it may prompt) and supervises it; returns the
    /// rc and status. What cannot start becomes a runner event and a failed status, as ansible-runner reports a
    /// missing command.</summary>
    private async Task<(int Rc, string Status)> LaunchAsync(JobSetup setup, JobEventAssembler assembler, EventBatch batch,
        CancellationToken ct)
    {
        try
        {
            await setup.PrepareAsync(ct).ConfigureAwait(false);
        }
        catch (JobSetupException e)
        {
            assembler.EmitRunnerVerbose(e.Message);
            batch.Publish();
            return (e.Rc, RunStatus.Failed);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A full disk or a directory that cannot be written: the run fails, and says why, with its artifacts.
            assembler.EmitRunnerVerbose($"The run could not be prepared: {e.Message}");
            batch.Publish();
            return (1, RunStatus.Failed);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return (254, RunStatus.Canceled);
        }
        foreach (var notice in setup.Notices)
        {
            assembler.EmitRunnerVerbose(notice);
        }
        batch.Publish();

        if (MissingProgram() is { } missing)
        {
            assembler.EmitRunnerVerbose(missing);
            batch.Publish();
            return (127, RunStatus.Failed);
        }
        ChildProcess child;
        try
        {
            var executable = ExecutableSearch.Find(_plan.Command[0], _plan.Environment)!;
            child = _plan.UsesTerminal
                ? ChildProcess.StartOnTerminal(executable, _plan.Command, _plan.Environment, _plan.Cwd)
                : ChildProcess.Start(executable, _plan.Command, _plan.Environment, _plan.Cwd);
        }
        catch (Win32Exception)
        {
            assembler.EmitRunnerVerbose($"The command was not found or was not executable: {_plan.Command[0]}.");
            batch.Publish();
            return (127, RunStatus.Failed);
        }

        int rc;
        using (child)
        {
            setup.Profiler?.Start();
            await SetStatusAsync(RunStatus.Running).ConfigureAwait(false);
            rc = await SuperviseAsync(child, assembler, batch, ct).ConfigureAwait(false);
        }
        if (_canceledByUser || (ct.IsCancellationRequested && _timeoutReason is null))
        {
            return (254, RunStatus.Canceled);
        }
        if (_timeoutReason is not null)
        {
            return (254, RunStatus.Timeout);
        }
        if (_plan.Container is { } container && rc is 125 or 126 or 127 && !batch.SawCallbackEvent)
        {
            // The engine's own exit codes (docker and podman agree): it could not run the container at all.
            assembler.EmitRunnerVerbose($"The container engine {container.Engine} ended with rc {rc} before Ansible " +
                $"started (its message is above): the image {container.Image} could not be run here. Containers need a " +
                "working podman or docker and access to the image.");
            batch.Publish();
        }
        return rc == 0 ? (0, RunStatus.Successful) : (rc < 0 ? 128 - rc : rc, RunStatus.Failed); // signal N: 128+N
    }

    /// <summary>The message for a program of the run that cannot be found, or null when all are there.</summary>
    private string? MissingProgram()
    {
        var env = _plan.Environment;
        var ansible = _plan.AnsibleCommand.Count > 0 ? _plan.AnsibleCommand[0] : _plan.Command[0];
        if (_plan.Container is { } container)
        {
            return ExecutableSearch.Find(container.Engine, env) is null
                ? $"The container engine was not found: {container.Engine}. Container runs need podman or docker " +
                  "(--process-isolation-executable docker); Anvil cannot start containers without one."
                : null;
        }
        if (ExecutableSearch.Find(ansible, env) is null)
        {
            return $"The command was not found or was not executable: {ansible}.";
        }
        if (_plan.Sandbox is { } sandbox && ExecutableSearch.Find(sandbox.Executable, env) is null)
        {
            return $"The sandbox program was not found: {sandbox.Executable}. Process isolation needs bubblewrap " +
                   "(Debian: apt-get install bubblewrap).";
        }
        return ExecutableSearch.Find(_plan.Command[0], env) is null
            ? $"The command was not found or was not executable: {_plan.Command[0]}."
            : null;
    }

    /// <summary>Reads the child's output to its end, enforcing timeouts and cancellation; returns the exit code.</summary>
    private async Task<int> SuperviseAsync(ChildProcess child, JobEventAssembler assembler, EventBatch batch,
        CancellationToken ct)
    {
        var settings = _plan.Settings;
        var jobTimeout = settings.JobTimeout;
        var terminate = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var onCancel = ct.Register(() => terminate.TrySetResult("canceled"));

        var responder = _plan.UsesTerminal ? new PromptResponder(assembler, _plan.Passwords) : null;
        var reader = Task.Factory.StartNew(() => ReadOutput(child, assembler, responder, batch, settings, terminate),
            CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

        using var jobTimer = jobTimeout is { } jt
            ? new Timer(_ => terminate.TrySetResult("job_timeout"), null, jt, Timeout.InfiniteTimeSpan)
            : null;
        using var cancelPoll = _options.CancelCallback is { } cancelCallback
            ? new Timer(_ => PollCancelCallback(cancelCallback), null, CancelCallbackInterval, CancelCallbackInterval)
            : null;
        await Task.WhenAny(child.Exited, terminate.Task).ConfigureAwait(false);
        if (terminate.Task.IsCompleted && !child.Exited.IsCompleted)
        {
            var reason = await terminate.Task.ConfigureAwait(false);
            if (reason is "job_timeout" or "idle_timeout" or "pexpect_timeout")
            {
                _timeoutReason = reason;
            }
            await TerminateAsync(child, _plan).ConfigureAwait(false);
        }
        var rc = await child.Exited.ConfigureAwait(false);
        await reader.ConfigureAwait(false);
        return rc;
    }

    /// <summary>ansible-runner's cancel_callback, asked on a timer thread (never the reader's): true, or an
    /// exception, cancels the job.</summary>
    private void PollCancelCallback(Func<bool> callback)
    {
        bool cancel;
        try
        {
            cancel = callback();
        }
        catch (Exception)
        {
            cancel = true; // ansible-runner stops the run with a CallbackError; here the job ends as canceled
        }
        if (cancel)
        {
            Cancel();
        }
    }

    private static async Task TerminateAsync(ChildProcess child, JobPlan plan)
    {
        if (plan.Container is { } container)
        {
            // Ending the engine's client does not end the container: ask the engine, as ansible-runner does.
            await KillContainerAsync(container, plan).ConfigureAwait(false);
        }
        child.SignalGroup(Native.SIGTERM);
        await Task.WhenAny(child.Exited, Task.Delay(TerminationGrace)).ConfigureAwait(false);
        // Past the grace period, or Ansible is gone: nothing left in its group survives.
        child.SignalGroup(Native.SIGKILL);
    }

    private static async Task KillContainerAsync(ContainerPlan container, JobPlan plan)
    {
        if (ExecutableSearch.Find(container.Engine, plan.Environment) is not { } engine)
        {
            return;
        }
        try
        {
            using var kill = ChildProcess.Start(engine, [container.Engine, "kill", container.Name], plan.Environment, plan.Cwd);
            await Task.WhenAny(kill.Exited, Task.Delay(TerminationGrace)).ConfigureAwait(false);
        }
        catch (Win32Exception)
        {
        }
    }

    private static void ReadOutput(ChildProcess child, JobEventAssembler assembler, PromptResponder? responder,
        EventBatch batch, RunnerSettings settings, TaskCompletionSource<string> terminate)
    {
        var idleTimeout = settings.IdleTimeout;
        var parser = new MarkerStreamParser(responder ?? (IMarkerSink)assembler);
        // A terminal hands over at most about 4 KB per read however much is waiting, a pipe up to the buffer: a
        // read is "small" (Ansible is idle-ish, worth waiting for more) only well below what the source can give.
        var smallRead = child.IsTerminal ? 1024 : 32 * 1024;
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
                    if (responder?.TakeAnswer() is { } answer)
                    {
                        child.Write(answer);
                    }
                    batch.Publish();
                    lastOutput = Stopwatch.GetTimestamp();
                    if (n < smallRead)
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
                if (responder is { AtUnansweredPrompt: true } && settings.PexpectTimeout is { } wait &&
                    Stopwatch.GetElapsedTime(lastOutput) >= wait && !terminate.Task.IsCompleted)
                {
                    assembler.EmitRunnerVerbose($"No answer for the prompt '{responder.PendingPrompt}' within " +
                        $"{wait.TotalSeconds:0.###} s (pexpect_timeout): no pattern in env/passwords matches it; the job was ended.");
                    batch.Publish();
                    terminate.TrySetResult("pexpect_timeout");
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

    private async Task<PlaybookStats?> DispatchAsync(ChannelReader<List<JobEvent>> batches, ArtifactStore store,
        JobSetup setup)
    {
        try
        {
            return await DispatchUnguardedAsync(batches, store, setup).ConfigureAwait(false);
        }
        catch (ArtifactWriteException e)
        {
            // Stop Ansible (SIGTERM, then SIGKILL) and let what it still says go: nothing more can be kept.
            _artifactFailure = e;
            _cancel.Cancel();
            while (await batches.WaitToReadAsync().ConfigureAwait(false))
            {
                while (batches.TryRead(out _))
                {
                }
            }
            return null;
        }
    }

    private async Task<PlaybookStats?> DispatchUnguardedAsync(ChannelReader<List<JobEvent>> batches, ArtifactStore store,
        JobSetup setup)
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
                    setup.Profiler?.OnEvent(e);
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
                    // In JSON mode the stdout line is the event file's content: serialized once for both.
                    var path = _options.JsonMode ? store.WriteEvent(e.Counter, e.Uuid, json.WrittenSpan) : store.WriteEvent(e);
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

    /// <summary>Events the reader assembled from one read, handed to the dispatcher together: one wake-up per read
    /// instead of one per event.</summary>
    private sealed class EventBatch(ChannelWriter<List<JobEvent>> writer)
    {
        private List<JobEvent>? _pending;

        /// <summary>An event came from Ansible's callback (not text the runner turned into verbose events).</summary>
        public bool SawCallbackEvent { get; private set; }

        public void Add(JobEvent e)
        {
            SawCallbackEvent |= !e.IsRunnerSide;
            (_pending ??= []).Add(e);
        }

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

using Anvil.Runner.Execution;
using Anvil.Runner.Inputs;
using Anvil.Runner.Streaming;

namespace Anvil.Runner;

/// <summary>The entry point of the runner library.</summary>
/// <example>
/// <code>
/// var job = AnsibleRunner.Start(new RunnerOptions { PrivateDataDir = "demo", Playbook = "site.yml" });
/// await foreach (var e in job.Events()) Console.WriteLine($"{e.Counter} {e.Event} {e.Host}");
/// var result = await job.Completion; // result.Status, result.Rc, result.Stats
/// </code>
/// </example>
public static class AnsibleRunner
{
    /// <summary>Checks the inputs and starts the run. Bad input throws <see cref="RunnerInputException"/> before
    /// anything is written under <c>artifacts/</c>. Canceling <paramref name="ct"/> cancels the run.</summary>
    public static RunnerJob Start(RunnerOptions options, CancellationToken ct = default) =>
        Start(options, Plan(options), ct);

    /// <summary>Starts a run from a plan made by <see cref="Plan"/> (inputs are read once, so a named pipe in
    /// <c>env/</c> is not consumed twice).</summary>
    public static RunnerJob Start(RunnerOptions options, JobPlan plan, CancellationToken ct = default) =>
        new(options, plan, ct);

    /// <summary>Runs to the end and returns the result.</summary>
    public static Task<RunResult> RunAsync(RunnerOptions options, CancellationToken ct = default) =>
        Start(options, ct).Completion;

    /// <summary>Runs one phase of remote execution as <see cref="RunnerOptions.Streaming"/> says: transmit (the
    /// job and <see cref="RunnerOptions.PrivateDataDir"/> to the output), worker (a job from the input, run in
    /// <see cref="RunnerOptions.PrivateDataDir"/> or a temporary directory when it is empty, results to the output)
    /// or process (a worker's results from the input, into <see cref="RunnerOptions.PrivateDataDir"/>'s artifacts).
    /// Bad input to transmit throws <see cref="RunnerInputException"/>; a bad stream is reported in the stream
    /// (worker) or in the result and the artifacts (process).</summary>
    public static Task<StreamResult> StreamAsync(RunnerOptions options, CancellationToken ct = default)
    {
        var streaming = options.Streaming ?? throw new ArgumentException("RunnerOptions.Streaming is not set", nameof(options));
        var input = streaming.Input ?? Console.OpenStandardInput();
        var output = streaming.Output ?? Console.OpenStandardOutput();
        return streaming.Mode switch
        {
            StreamMode.Transmit => StreamTransmitter.TransmitAsync(options, output, ct),
            StreamMode.Worker => StreamWorker.RunAsync(options, streaming, input, output, ct),
            StreamMode.Process => StreamProcessor.RunAsync(options, streaming, input, ct),
            _ => throw new ArgumentOutOfRangeException(nameof(options), streaming.Mode, "unknown stream mode"),
        };
    }

    /// <summary>Builds the command, environment and paths a run would use, without running anything.</summary>
    public static JobPlan Plan(RunnerOptions options)
    {
        var pdd = PrivateDataDir.Load(options.PrivateDataDir);
        return CommandBuilder.Build(options, pdd, CallbackPlugin.EnsureExtracted());
    }
}

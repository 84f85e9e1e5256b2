namespace Anvil.Runner.Streaming;

/// <summary>The three phases of remote execution, as ansible-runner's <c>streamer</c> names them.</summary>
public enum StreamMode
{
    /// <summary>Turn the job (options and private data dir) into a stream.</summary>
    Transmit,

    /// <summary>Read a job stream, run it, write the result stream.</summary>
    Worker,

    /// <summary>Read a result stream and write the artifacts a local run would have written.</summary>
    Process,
}

/// <summary>How a run takes part in remote execution (<see cref="RunnerOptions.Streaming"/>). Streams default to
/// the process's standard input and output.</summary>
public sealed record StreamingOptions
{
    /// <summary>Which phase this run is.</summary>
    public required StreamMode Mode { get; init; }

    /// <summary>What the worker or the processor reads. Default: standard input.</summary>
    public Stream? Input { get; init; }

    /// <summary>What the transmitter or the worker writes. Default: standard output.</summary>
    public Stream? Output { get; init; }

    /// <summary>Worker: a <c>{"event": "keepalive"}</c> line after this long without output (null: never).</summary>
    public TimeSpan? Keepalive { get; init; }

    /// <summary>Worker: remove the private data dir before unpacking into it and after the run (always done for
    /// the temporary directory used when <see cref="RunnerOptions.PrivateDataDir"/> is empty).</summary>
    public bool DeletePrivateDataDir { get; init; }

    /// <summary>Processor: where the event text goes as events arrive (ansible-runner prints it); null: nowhere.</summary>
    public TextWriter? Display { get; init; }
}

/// <summary>The outcome of one phase. <see cref="Status"/> is the job's (<c>successful</c>, <c>failed</c> …) or
/// <c>error</c> when the stream itself failed (cut, garbled, a worker-side error); <see cref="Explanation"/> then
/// says why, and <see cref="Rc"/> is <see cref="StreamResult.StreamFailureRc"/>.</summary>
public sealed record StreamResult
{
    /// <summary>The rc of a job whose stream failed, told apart from any rc Ansible gives (0–8, 99, 250 …, and
    /// 254 for timeouts and cancels).</summary>
    public const int StreamFailureRc = 255;

    /// <summary>The status of a stream that failed, as ansible-runner's own processor calls it.</summary>
    public const string ErrorStatus = "error";

    /// <summary>The job's final status, or <see cref="ErrorStatus"/>.</summary>
    public required string Status { get; init; }
    /// <summary>The job's exit code, or <see cref="StreamFailureRc"/>.</summary>
    public required int Rc { get; init; }

    /// <summary>The run's artifact directory (worker and processor).</summary>
    public string? ArtifactDir { get; init; }

    /// <summary>Why the stream failed (<c>job_explanation</c>); null when it did not.</summary>
    public string? Explanation { get; init; }

    /// <summary>Events written (processor) or sent (worker).</summary>
    public long EventCount { get; init; }
}

using System.Text.Json;
using System.Text.Json.Nodes;
using Anvil.Events;
using Anvil.Runner.Artifacts;
using Anvil.Runner.Execution;
using Anvil.Runner.Inputs;

namespace Anvil.Runner.Streaming;

/// <summary>
/// <c>worker</c>: reads a job stream (kwargs, the private data dir's zip, eof), runs the job with Anvil's runner
/// and writes ansible-runner's result stream: the <c>starting</c> and <c>running</c> status lines, one JSON line
/// per event (exactly the <c>job_events/*.json</c> content), the final status, the artifact directory's zip and
/// <c>{"eof": true}</c>. As in ansible-runner, no <c>job_events/*.json</c> are written on the worker. A stream it
/// cannot run gives one <c>{"status": "error", "job_explanation": …}</c> line and eof.
/// </summary>
public static class StreamWorker
{
    /// <summary>The rc of a worker that could not run the job it was sent.</summary>
    public const int InputErrorRc = 1;

    private static readonly byte[] KeepaliveLine = "{\"event\": \"keepalive\", \"counter\": 0, \"uuid\": 0}"u8.ToArray();

    /// <summary>Reads a job stream from <paramref name="input"/>, runs the job and writes the result stream to
    /// <paramref name="output"/>; <paramref name="options"/> supplies what the stream does not (where to unpack: its private data dir,
    /// or a temporary one when empty).</summary>
    public static async Task<StreamResult> RunAsync(RunnerOptions options, StreamingOptions streaming, Stream input,
        Stream output, CancellationToken ct)
    {
        var temporary = string.IsNullOrEmpty(options.PrivateDataDir);
        var pdd = temporary
            ? Directory.CreateTempSubdirectory("anvil-worker-").FullName
            : Path.GetFullPath(options.PrivateDataDir);
        var writer = new StreamFrameWriter(output);
        try
        {
            if (!temporary && streaming.DeletePrivateDataDir && Directory.Exists(pdd))
            {
                Directory.Delete(pdd, recursive: true);
            }
            Directory.CreateDirectory(pdd, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            var (kwargs, error) = await ReceiveAsync(new StreamFrameReader(input), pdd, ct).ConfigureAwait(false);
            if (error is not null)
            {
                return Error(writer, error);
            }
            RunnerOptions job;
            JobPlan plan;
            try
            {
                job = JobKwargs.ToOptions(kwargs ?? [], pdd);
                job = job with
                {
                    Output = null,
                    Settings = (job.Settings ?? new RunnerSettings()) with { SuppressAnsibleOutput = true },
                    CancelCallback = options.CancelCallback,
                };
                plan = AnsibleRunner.Plan(job);
            }
            catch (Exception e) when (e is JobKwargsException or RunnerInputException)
            {
                return Error(writer, e.Message);
            }
            return await RunJobAsync(job, plan, streaming, writer, ct).ConfigureAwait(false);
        }
        finally
        {
            if (temporary || streaming.DeletePrivateDataDir)
            {
                try
                {
                    Directory.Delete(pdd, recursive: true);
                }
                catch (DirectoryNotFoundException)
                {
                }
            }
        }
    }

    /// <summary>Reads kwargs and the zip up to eof; returns the kwargs or the error to report.</summary>
    private static async Task<(JsonObject? Kwargs, string? Error)> ReceiveAsync(StreamFrameReader reader, string pdd,
        CancellationToken ct)
    {
        JsonObject? kwargs = null;
        while (true)
        {
            var line = await reader.ReadLineAsync(ct).ConfigureAwait(false);
            if (line is null)
            {
                return (null, $"Failed to JSON parse a line from transmit stream: the stream ended after line " +
                              $"{reader.LineNumber} without its eof line.");
            }
            JsonObject? data;
            try
            {
                data = JsonNode.Parse(line.Value.Span) as JsonObject;
            }
            catch (JsonException e)
            {
                return (null, $"Failed to JSON parse a line from transmit stream: line {reader.LineNumber}: {e.Message}");
            }
            if (data is null)
            {
                return (null, $"Failed to JSON parse a line from transmit stream: line {reader.LineNumber} is not a JSON object.");
            }
            if (data.TryGetPropertyValue("kwargs", out var k))
            {
                kwargs = k as JsonObject ?? [];
            }
            else if (data.TryGetPropertyValue("zipfile", out var z))
            {
                if (z is not JsonValue zv || !zv.TryGetValue<long>(out var size) || size < 0)
                {
                    return (null, $"Failed to extract private data directory on worker: line {reader.LineNumber}: bad zipfile size.");
                }
                try
                {
                    await DirectoryZip.ReceiveAsync(reader, size, pdd, ct).ConfigureAwait(false);
                }
                catch (Exception e) when (e is IOException or FormatException or InvalidDataException or UnauthorizedAccessException)
                {
                    return (null, $"Failed to extract private data directory on worker: {e.Message}");
                }
            }
            else if (data.ContainsKey("eof"))
            {
                return (kwargs, null);
            }
        }
    }

    private static async Task<StreamResult> RunJobAsync(RunnerOptions job, JobPlan plan, StreamingOptions streaming,
        StreamFrameWriter writer, CancellationToken ct)
    {
        long events = 0;
        job = job with
        {
            StatusHandler = (change, _) =>
            {
                if (change.Status == RunStatus.Starting)
                {
                    var env = new JsonObject();
                    foreach (var (k, v) in plan.RedactedEnvironment)
                    {
                        env[k] = v;
                    }
                    writer.WriteJson(new JsonObject
                    {
                        ["status"] = change.Status,
                        ["runner_ident"] = change.RunnerIdent,
                        ["command"] = new JsonArray(plan.RedactedCommand.Select(c => (JsonNode?)c).ToArray()),
                        ["env"] = env,
                        ["cwd"] = plan.Cwd,
                    });
                }
                else if (change.Status == RunStatus.Running)
                {
                    writer.WriteJson(new JsonObject { ["status"] = change.Status, ["runner_ident"] = change.RunnerIdent });
                }
                // The final status is written after the run, with the rc (an Anvil addition ansible-runner ignores).
                return ValueTask.CompletedTask;
            },
            EventHandler = (e, _) =>
            {
                writer.WriteLine(w => JobEventSerializer.Write(w, e));
                events++;
                return ValueTask.FromResult(false); // ansible-runner's worker writes no job_events/ either
            },
        };
        Timer? keepalive = null;
        if (streaming.Keepalive is { } idle && idle > TimeSpan.Zero)
        {
            var period = TimeSpan.FromMilliseconds(Math.Max(50, idle.TotalMilliseconds / 4));
            keepalive = new Timer(_ =>
            {
                try
                {
                    writer.WriteIfIdle(idle, KeepaliveLine);
                }
                catch (IOException)
                {
                    // The reader went away; the run's own writes will fail and end it.
                }
            }, null, period, period);
        }
        RunResult result;
        try
        {
            result = await AnsibleRunner.Start(job, plan, ct).Completion.ConfigureAwait(false);
        }
        catch (ArtifactWriteException e)
        {
            // The runner has stopped Ansible; on the node, as on a controller, that is one line naming the path,
            // here the stream's error status (the events already sent stay with the processor).
            return Error(writer, e.Message);
        }
        finally
        {
            if (keepalive is not null)
            {
                await keepalive.DisposeAsync().ConfigureAwait(false);
            }
        }
        var final = new JsonObject { ["status"] = result.Status, ["runner_ident"] = result.Ident, ["rc"] = result.Rc };
        if (result.TimeoutReason is not null)
        {
            final["timeout_reason"] = result.TimeoutReason;
        }
        writer.WriteJson(final);
        var zip = DirectoryZip.CreateTemp(result.ArtifactDir);
        try
        {
            await writer.WriteZipAsync(zip, CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            File.Delete(zip);
        }
        writer.WriteEof();
        return new StreamResult
        {
            Status = result.Status,
            Rc = result.Rc,
            ArtifactDir = result.ArtifactDir,
            EventCount = events,
        };
    }

    private static StreamResult Error(StreamFrameWriter writer, string explanation)
    {
        writer.WriteJson(new JsonObject { ["status"] = StreamResult.ErrorStatus, ["job_explanation"] = explanation });
        writer.WriteEof();
        return new StreamResult { Status = StreamResult.ErrorStatus, Rc = InputErrorRc, Explanation = explanation };
    }
}

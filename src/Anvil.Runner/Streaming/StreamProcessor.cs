using System.Globalization;
using System.Text;
using System.Text.Json;
using Anvil.Runner.Artifacts;

namespace Anvil.Runner.Streaming;

/// <summary>
/// <c>process</c>: reads a worker's result stream and writes the artifacts a local run writes, under
/// <c>&lt;artifact dir&gt;/&lt;ident&gt;</c>: each event's <c>job_events/&lt;counter&gt;-&lt;uuid&gt;.json</c> (atomically)
/// and its text to <c>stdout</c> as it arrives, then the worker's artifact zip (<c>status</c>, <c>rc</c>,
/// <c>command</c>, <c>stdout</c>, <c>fact_cache/</c> …). Unlike ansible-runner's processor, a stream that is cut
/// (no eof line), garbled (a line that is not JSON) or that carries a worker error never counts as success: every
/// event received is kept, <c>status</c> is <c>error</c>, <c>rc</c> is <see cref="StreamResult.StreamFailureRc"/> and
/// <c>job_explanation</c> says what happened, naming the line.
/// </summary>
public static class StreamProcessor
{
    /// <summary>Reads a worker's result stream from <paramref name="input"/> and writes the artifacts a local run would
    /// have written, in <paramref name="options"/>' artifact dir (default <c>&lt;private data dir&gt;/artifacts</c>).</summary>
    public static async Task<StreamResult> RunAsync(RunnerOptions options, StreamingOptions streaming, Stream input,
        CancellationToken ct)
    {
        var pdd = Path.GetFullPath(options.PrivateDataDir);
        var artifactRoot = Path.GetFullPath(options.ArtifactDir ?? Path.Combine(pdd, "artifacts"));
        var reader = new StreamFrameReader(input);
        var display = streaming.Display;
        string? ident = options.Ident;
        ArtifactStore? store = null;
        string? failure = null;
        string? workerStatus = null;
        int? workerRc = null;
        var sawEof = false;
        var zipReceived = false;
        long events = 0;

        ArtifactStore Store()
        {
            if (store is null)
            {
                ident ??= Guid.NewGuid().ToString();
                Directory.CreateDirectory(artifactRoot);
                store = ArtifactStore.Create(Path.Combine(artifactRoot, ident), writeOutputFiles: true);
            }
            return store;
        }

        void Fail(string message) => failure ??= message;

        try
        {
            while (true)
            {
                if (!reader.HasBufferedData)
                {
                    // Caught up with the worker: make what arrived visible before waiting for more.
                    store?.FlushStdout();
                    if (display is not null)
                    {
                        await display.FlushAsync(ct).ConfigureAwait(false);
                    }
                }
                var read = await reader.ReadLineAsync(ct).ConfigureAwait(false);
                if (read is not { } line)
                {
                    break;
                }
                JsonDocument doc;
                try
                {
                    doc = JsonDocument.Parse(line);
                    if (doc.RootElement.ValueKind != JsonValueKind.Object)
                    {
                        doc.Dispose();
                        throw new JsonException("not a JSON object");
                    }
                }
                catch (JsonException e)
                {
                    Fail(reader.LastLineComplete
                        ? $"Failed to JSON parse line {reader.LineNumber} of the worker stream ({e.Message}). Line with " +
                          $"invalid JSON data: {Excerpt(line.Span)}"
                        : $"The worker stream was cut in line {reader.LineNumber}, before its eof line.");
                    continue;
                }
                using (doc)
                {
                    var root = doc.RootElement;
                    if (root.TryGetProperty("status", out var status))
                    {
                        workerStatus = status.ValueKind == JsonValueKind.String ? status.GetString() : status.GetRawText();
                        if (root.TryGetProperty("runner_ident", out var ri) && ri.ValueKind == JsonValueKind.String)
                        {
                            ident ??= ri.GetString();
                        }
                        if (root.TryGetProperty("rc", out var rc) && rc.TryGetInt32(out var r))
                        {
                            workerRc = r;
                        }
                        if (workerStatus == StreamResult.ErrorStatus)
                        {
                            var why = root.TryGetProperty("job_explanation", out var je) ? je.GetString() : null;
                            Fail($"The worker reported an error: {why ?? "(no explanation)"}");
                        }
                    }
                    else if (root.TryGetProperty("zipfile", out var z))
                    {
                        if (!z.TryGetInt64(out var size) || size < 0)
                        {
                            Fail($"Line {reader.LineNumber} of the worker stream has a bad zipfile size: {z.GetRawText()}");
                            continue;
                        }
                        try
                        {
                            await DirectoryZip.ReceiveAsync(reader, size, Store().Directory, ct).ConfigureAwait(false);
                            zipReceived = true;
                        }
                        catch (StreamCutException e)
                        {
                            Fail($"The worker stream was cut in the artifacts zip announced in line {reader.LineNumber}: {e.Message}.");
                            break;
                        }
                        catch (Exception e) when (e is IOException or FormatException or InvalidDataException)
                        {
                            Fail($"The artifacts zip announced in line {reader.LineNumber} could not be unpacked: {e.Message}");
                        }
                    }
                    else if (root.TryGetProperty("eof", out _))
                    {
                        sawEof = true;
                        break;
                    }
                    else if (IsEvent(root, out var counter, out var uuid))
                    {
                        if (root.TryGetProperty("runner_ident", out var ri) && ri.ValueKind == JsonValueKind.String)
                        {
                            ident ??= ri.GetString();
                        }
                        var s = Store();
                        s.WriteEvent(counter, uuid, line.Span);
                        if (!zipReceived && root.TryGetProperty("stdout", out var text) && text.ValueKind == JsonValueKind.String)
                        {
                            var t = text.GetString()!;
                            if (t.Length > 0)
                            {
                                s.AppendStdoutLine(Encoding.UTF8.GetBytes(t));
                            }
                            display?.WriteLine(t);
                        }
                        events++;
                    }
                    // Anything else (a keepalive, whose counter and uuid are 0) carries nothing to keep.
                }
            }
            if (!sawEof)
            {
                Fail($"The worker stream ended after line {reader.LineNumber} without its eof line (the worker " +
                     $"stopped or the connection was cut); {events} events were received.");
            }
            else if (failure is null && workerStatus is null or RunStatus.Starting or RunStatus.Running)
            {
                Fail($"The worker stream ended without the job's final status; {events} events were received.");
            }

            var s2 = Store();
            string finalStatus;
            int finalRc;
            if (failure is not null)
            {
                finalStatus = StreamResult.ErrorStatus;
                finalRc = StreamResult.StreamFailureRc;
                s2.WriteFile("job_explanation", failure);
                s2.WriteStatus(finalStatus, finalRc);
            }
            else
            {
                finalStatus = workerStatus!;
                finalRc = ReadRc(s2.Directory) ?? workerRc ?? (finalStatus == RunStatus.Successful ? 0 : 1);
                if (!zipReceived)
                {
                    s2.WriteStatus(finalStatus, finalRc);
                }
            }
            if (display is not null)
            {
                await display.FlushAsync(ct).ConfigureAwait(false);
            }
            return new StreamResult
            {
                Status = finalStatus,
                Rc = finalRc,
                ArtifactDir = s2.Directory,
                Explanation = failure,
                EventCount = events,
            };
        }
        finally
        {
            if (store is not null)
            {
                await store.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>An event line: ansible-runner's later processors keep only lines whose counter and uuid are set
    /// (a keepalive has 0 for both).</summary>
    private static bool IsEvent(JsonElement root, out long counter, out string uuid)
    {
        counter = 0;
        uuid = "";
        if (!root.TryGetProperty("counter", out var c) || !root.TryGetProperty("uuid", out var u))
        {
            return false;
        }
        if (c.ValueKind != JsonValueKind.Number || !c.TryGetInt64(out counter))
        {
            return false;
        }
        uuid = u.ValueKind == JsonValueKind.String ? u.GetString() ?? "" : "";
        // The uuid becomes part of a file name: only what a uuid can contain.
        return counter != 0 && uuid.Length > 0 && uuid.All(ch => char.IsAsciiLetterOrDigit(ch) || ch == '-');
    }

    private static int? ReadRc(string artifactDir)
    {
        var path = Path.Combine(artifactDir, "rc");
        return File.Exists(path) && int.TryParse(File.ReadAllText(path).Trim(), CultureInfo.InvariantCulture, out var rc) ? rc : null;
    }

    private static string Excerpt(ReadOnlySpan<byte> line)
    {
        var text = Encoding.UTF8.GetString(line[..Math.Min(line.Length, 200)]);
        return line.Length > 200 ? text + "…" : text;
    }
}

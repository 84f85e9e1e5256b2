using System.Buffers;
using System.Text;
using System.Text.Json;
using Anvil.Events;

namespace Anvil.Runner.Events;

/// <summary>
/// Turns the parser's text and markers into numbered <see cref="JobEvent"/>s, with ansible-runner's rules: text
/// between a begin and an end marker belongs to that event; text outside any event becomes one runner-side
/// <c>verbose</c> event per line. Counters follow stream order. Line numbers index the stdout artifact, which
/// receives each non-empty <see cref="JobEvent.Stdout"/> plus a newline, so the artifact is exactly the
/// concatenation of the events' stdout.
/// </summary>
internal sealed class JobEventAssembler : IMarkerSink
{
    /// <summary>Text outside events with no newline in sight is cut into events of at most this size, so one
    /// endless line cannot exhaust memory.</summary>
    public const int MaxPendingLineBytes = 4 * 1024 * 1024;

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);

    private readonly string _runnerIdent;
    private readonly Action<JobEvent> _emit;
    private readonly Func<string> _clock;
    private readonly ArrayBufferWriter<byte> _text = new(4096);
    private EventHeader? _open;
    private long _counter;
    private long _lines;

    public JobEventAssembler(string runnerIdent, Action<JobEvent> emit, Func<string>? clock = null)
    {
        _runnerIdent = runnerIdent;
        _emit = emit;
        _clock = clock ?? Timestamps.NowNaiveUtc;
    }

    public long Counter => _counter;

    public void OnText(ReadOnlySpan<byte> text)
    {
        _text.Write(text);
        if (_open is null)
        {
            EmitCompleteLines();
        }
    }

    public void OnMarker(byte[] payload)
    {
        if (_open is { } open)
        {
            EmitEvent(open, _text.WrittenSpan);
            _text.Clear();
        }
        else if (_text.WrittenCount > 0)
        {
            EmitVerboseLines(_text.WrittenSpan, includePartial: true);
            _text.Clear();
        }
        _open = EventHeader.TryParse(payload);
    }

    /// <summary>End of stream: whatever is buffered becomes events.</summary>
    public void Complete()
    {
        OnMarker([]);
    }

    /// <summary>Adds an event the runner itself produces (e.g. "command not found"), numbered in sequence.</summary>
    public void EmitRunnerVerbose(string line)
    {
        // Text already received comes first, even a line still waiting for its end (a prompt).
        if (_open is null && _text.WrittenCount > 0)
        {
            EmitVerboseLines(_text.WrittenSpan, includePartial: true);
            _text.Clear();
        }
        EmitVerboseLines(Utf8.GetBytes(line + "\n"), includePartial: true);
    }

    private void EmitCompleteLines()
    {
        var span = _text.WrittenSpan;
        var lastNewline = span.LastIndexOf((byte)'\n');
        if (lastNewline >= 0)
        {
            EmitVerboseLines(span[..(lastNewline + 1)], includePartial: false);
            var rest = span[(lastNewline + 1)..].ToArray();
            _text.Clear();
            _text.Write(rest);
        }
        else if (span.Length > MaxPendingLineBytes)
        {
            var cut = Utf8Boundary(span, MaxPendingLineBytes);
            EmitVerboseLines(span[..cut], includePartial: true);
            var rest = span[cut..].ToArray();
            _text.Clear();
            _text.Write(rest);
        }
    }

    private void EmitVerboseLines(ReadOnlySpan<byte> text, bool includePartial)
    {
        while (!text.IsEmpty)
        {
            var nl = text.IndexOf((byte)'\n');
            ReadOnlySpan<byte> line;
            if (nl < 0)
            {
                if (!includePartial)
                {
                    return;
                }
                line = text;
                text = default;
            }
            else
            {
                line = text[..(nl + 1)];
                text = text[(nl + 1)..];
            }
            var stdout = StripLineEnd(Utf8.GetString(line));
            _emit(new JobEvent
            {
                Uuid = Guid.NewGuid().ToString(),
                Counter = ++_counter,
                Stdout = stdout,
                StartLine = _lines,
                EndLine = _lines += LineCount(stdout),
                RunnerIdent = _runnerIdent,
                Event = EventNames.Verbose,
                Created = _clock(),
            });
        }
    }

    private void EmitEvent(EventHeader header, ReadOnlySpan<byte> text)
    {
        var stdout = StripLineEnd(Utf8.GetString(text));
        _emit(new JobEvent
        {
            Uuid = header.Uuid,
            Counter = ++_counter,
            Stdout = stdout,
            StartLine = _lines,
            EndLine = _lines += LineCount(stdout),
            RunnerIdent = _runnerIdent,
            Event = header.Event ?? EventNames.Verbose,
            Created = header.Created ?? _clock(),
            Pid = header.Pid,
            ParentUuid = header.ParentUuid,
            Verbosity = header.Verbosity,
            JobId = header.JobId,
            AdHocCommandId = header.AdHocCommandId,
            ProjectUpdateId = header.ProjectUpdateId,
            EventDataJson = header.EventData ?? "{}"u8.ToArray(),
            MetaJson = header.Meta,
        });
    }

    internal static string StripLineEnd(string s)
    {
        var end = s.Length;
        while (end > 0 && s[end - 1] is '\n' or '\r')
        {
            end--;
        }
        return end == s.Length ? s : s[..end];
    }

    internal static long LineCount(string stdout)
    {
        if (stdout.Length == 0)
        {
            return 0;
        }
        return stdout.AsSpan().Count('\n') + 1;
    }

    private static int Utf8Boundary(ReadOnlySpan<byte> span, int max)
    {
        var cut = max;
        // Step back over continuation bytes so a character is never split between two events.
        while (cut > 0 && (span[cut] & 0xC0) == 0x80)
        {
            cut--;
        }
        return cut == 0 ? max : cut;
    }

    /// <summary>The top-level fields of a begin marker's payload; <c>event_data</c> kept as raw bytes.</summary>
    private sealed record EventHeader(string Uuid)
    {
        public string? Event { get; private init; }
        public string? Created { get; private init; }
        public string? ParentUuid { get; private init; }
        public int? Pid { get; private init; }
        public int? Verbosity { get; private init; }
        public long? JobId { get; private init; }
        public long? AdHocCommandId { get; private init; }
        public long? ProjectUpdateId { get; private init; }
        public ReadOnlyMemory<byte>? EventData { get; private init; }
        public ReadOnlyMemory<byte>? Meta { get; private init; }

        public static EventHeader? TryParse(byte[] payload)
        {
            if (payload.Length == 0)
            {
                return null;
            }
            try
            {
                return Parse(payload);
            }
            catch (JsonException)
            {
                return null; // As ansible-runner: an undecodable payload closes the current event.
            }
        }

        private static EventHeader? Parse(byte[] payload)
        {
            var reader = new Utf8JsonReader(payload);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }
            string? uuid = null, ev = null, created = null, parent = null;
            int? pid = null, verbosity = null;
            long? jobId = null, adHoc = null, projectUpdate = null;
            ReadOnlyMemory<byte>? data = null, meta = null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.GetString();
                reader.Read();
                switch (name)
                {
                    case "uuid": uuid = AsString(ref reader); break;
                    case "event": ev = AsString(ref reader); break;
                    case "created": created = AsString(ref reader); break;
                    case "parent_uuid": parent = AsString(ref reader); break;
                    case "pid": pid = (int?)AsLong(ref reader); break;
                    case "verbosity": verbosity = (int?)AsLong(ref reader); break;
                    case "job_id": jobId = AsLong(ref reader); break;
                    case "ad_hoc_command_id": adHoc = AsLong(ref reader); break;
                    case "project_update_id": projectUpdate = AsLong(ref reader); break;
                    case "event_data":
                        data = RawValue(payload, ref reader);
                        break;
                    case "anvil":
                        meta = RawValue(payload, ref reader);
                        break;
                    default:
                        reader.Skip();
                        break;
                }
            }
            if (string.IsNullOrEmpty(uuid))
            {
                return null;
            }
            return new EventHeader(uuid)
            {
                Event = ev,
                Created = created,
                ParentUuid = parent,
                Pid = pid,
                Verbosity = verbosity,
                JobId = jobId,
                AdHocCommandId = adHoc,
                ProjectUpdateId = projectUpdate,
                EventData = data,
                Meta = meta,
            };
        }

        private static ReadOnlyMemory<byte> RawValue(byte[] payload, ref Utf8JsonReader reader)
        {
            var start = (int)reader.TokenStartIndex;
            reader.Skip();
            return payload.AsMemory(start, (int)reader.BytesConsumed - start);
        }

        private static string? AsString(ref Utf8JsonReader r) =>
            r.TokenType == JsonTokenType.String ? r.GetString() : null;

        private static long? AsLong(ref Utf8JsonReader r) =>
            r.TokenType == JsonTokenType.Number && r.TryGetInt64(out var v) ? v : null;
    }
}

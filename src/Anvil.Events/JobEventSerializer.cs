using System.Buffers;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace Anvil.Events;

/// <summary>
/// Writes a <see cref="JobEvent"/> exactly as ansible-runner does (Python <c>json.dumps</c> defaults:
/// <c>", "</c> and <c>": "</c> separators, non-ASCII escaped, ansible-runner's key order), splicing the
/// callback's <c>event_data</c> bytes unchanged, and reads such a file back.
/// </summary>
public static class JobEventSerializer
{
    /// <summary>The bytes of the event's <c>job_events/&lt;counter&gt;-&lt;uuid&gt;.json</c> file.</summary>
    public static byte[] Serialize(JobEvent e)
    {
        var w = new ArrayBufferWriter<byte>(256 + e.Stdout.Length + (e.EventDataJson?.Length ?? 0));
        Write(w, e);
        return w.WrittenSpan.ToArray();
    }

    /// <summary>Writes the event as its <c>job_events</c> file (without <see cref="JobEvent.MetaJson"/>).</summary>
    public static void Write(IBufferWriter<byte> w, JobEvent e) => Write(w, e, withMeta: false);

    /// <summary>Writes the event as its <c>job_events</c> file; with <paramref name="withMeta"/>, Anvil's
    /// <see cref="JobEvent.MetaJson"/> follows as a last key <c>"anvil"</c> (the shape of an ingestion batch's events).</summary>
    public static void Write(IBufferWriter<byte> w, JobEvent e, bool withMeta)
    {
        var first = true;
        Raw(w, "{"u8);
        if (e.IsRunnerSide)
        {
            // ansible-runner's runner-side verbose events have this shorter shape and order.
            Str(w, ref first, "event", e.Event);
            Str(w, ref first, "uuid", e.Uuid);
            Num(w, ref first, "counter", e.Counter);
            Str(w, ref first, "stdout", e.Stdout);
            Num(w, ref first, "start_line", e.StartLine);
            Num(w, ref first, "end_line", e.EndLine);
            Str(w, ref first, "runner_ident", e.RunnerIdent);
            Str(w, ref first, "created", e.Created);
            Meta(w, ref first, e, withMeta);
            Raw(w, "}"u8);
            return;
        }
        Str(w, ref first, "uuid", e.Uuid);
        Num(w, ref first, "counter", e.Counter);
        Str(w, ref first, "stdout", e.Stdout);
        Num(w, ref first, "start_line", e.StartLine);
        Num(w, ref first, "end_line", e.EndLine);
        Str(w, ref first, "runner_ident", e.RunnerIdent);
        Str(w, ref first, "event", e.Event);
        if (e.JobId is { } job)
        {
            Num(w, ref first, "job_id", job);
        }
        if (e.AdHocCommandId is { } adhoc)
        {
            Num(w, ref first, "ad_hoc_command_id", adhoc);
        }
        if (e.ProjectUpdateId is { } pu)
        {
            Num(w, ref first, "project_update_id", pu);
        }
        if (e.Pid is { } pid)
        {
            Num(w, ref first, "pid", pid);
        }
        Str(w, ref first, "created", e.Created);
        if (e.ParentUuid is { } parent)
        {
            Str(w, ref first, "parent_uuid", parent);
        }
        if (e.Verbosity is { } verbosity)
        {
            Num(w, ref first, "verbosity", verbosity);
        }
        Key(w, ref first, "event_data");
        Raw(w, e.EventDataJson!.Value.Span);
        Meta(w, ref first, e, withMeta);
        Raw(w, "}"u8);
    }

    private static void Meta(IBufferWriter<byte> w, ref bool first, JobEvent e, bool withMeta)
    {
        if (withMeta && e.MetaJson is { } meta)
        {
            Key(w, ref first, "anvil");
            Raw(w, meta.Span);
        }
    }

    /// <summary>Reads a <c>job_events</c> file (Anvil's or ansible-runner's). Missing fields take empty values.</summary>
    public static JobEvent Parse(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        reader.Read();
        return Read(ref reader, counterRequired: false);
    }

    /// <summary>Reads one event object at the reader's position (its <c>StartObject</c>), leaving the reader on its
    /// <c>EndObject</c>. <c>event_data</c> and <c>anvil</c> are kept as their bytes and handed over parsed, so that
    /// nothing parses them again. Fields of the wrong type are treated as absent, except a required counter.</summary>
    /// <exception cref="InvalidJobEventException">Not an object, or (when required) no integer counter.</exception>
    public static JobEvent Read(ref Utf8JsonReader reader, bool counterRequired)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new InvalidJobEventException(counterRequired ? InvalidJobEventException.NeedsCounter : "a job event must be a JSON object");
        }
        string? uuid = null, stdout = null, runnerIdent = null, ev = null, created = null, parent = null;
        long? counter = null, startLine = null, endLine = null, pid = null, verbosity = null, jobId = null, adHoc = null, projectUpdate = null;
        JsonElement? data = null, meta = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.GetString();
            reader.Read();
            switch (name)
            {
                case "uuid": uuid = AsString(ref reader); break;
                case "counter": counter = AsLong(ref reader); break;
                case "stdout": stdout = AsString(ref reader); break;
                case "start_line": startLine = AsLong(ref reader); break;
                case "end_line": endLine = AsLong(ref reader); break;
                case "runner_ident": runnerIdent = AsString(ref reader); break;
                case "event": ev = AsString(ref reader); break;
                case "created": created = AsString(ref reader); break;
                case "parent_uuid": parent = AsString(ref reader); break;
                case "pid": pid = AsLong(ref reader); break;
                case "verbosity": verbosity = AsLong(ref reader); break;
                case "job_id": jobId = AsLong(ref reader); break;
                case "ad_hoc_command_id": adHoc = AsLong(ref reader); break;
                case "project_update_id": projectUpdate = AsLong(ref reader); break;
                case "event_data": data = JsonElement.ParseValue(ref reader); break;
                case "anvil": meta = JsonElement.ParseValue(ref reader); break;
                default: reader.Skip(); break;
            }
        }
        if (counterRequired && counter is null)
        {
            throw new InvalidJobEventException(InvalidJobEventException.NeedsCounter);
        }
        return new JobEvent
        {
            Uuid = uuid ?? "",
            Counter = counter ?? 0,
            Stdout = stdout ?? "",
            StartLine = startLine ?? 0,
            EndLine = endLine ?? 0,
            RunnerIdent = runnerIdent ?? "",
            Event = ev ?? EventNames.Verbose,
            Created = created ?? "",
            Pid = (int?)pid,
            ParentUuid = parent,
            Verbosity = (int?)verbosity,
            JobId = jobId,
            AdHocCommandId = adHoc,
            ProjectUpdateId = projectUpdate,
            // The bytes first: their init clears the parsed value that follows.
            EventDataJson = RawBytes(data),
            ParsedEventData = data,
            MetaJson = RawBytes(meta),
            ParsedMeta = meta,
        };
    }

    private static ReadOnlyMemory<byte>? RawBytes(JsonElement? value)
    {
        // Not a conditional expression: its null would become an empty, non-null memory through the conversion
        // from byte[], and a runner-side event would look like one with event_data.
        if (value is not { } v)
        {
            return null;
        }
        return JsonMarshal.GetRawUtf8Value(v).ToArray();
    }

    private static string? AsString(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            return reader.GetString();
        }
        reader.Skip();
        return null;
    }

    private static long? AsLong(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var l))
        {
            return l;
        }
        reader.Skip();
        return null;
    }

    private static void Key(IBufferWriter<byte> w, ref bool first, string name)
    {
        if (!first)
        {
            Raw(w, ", "u8);
        }
        first = false;
        WriteString(w, name);
        Raw(w, ": "u8);
    }

    private static void Str(IBufferWriter<byte> w, ref bool first, string name, string value)
    {
        Key(w, ref first, name);
        WriteString(w, value);
    }

    private static void Num(IBufferWriter<byte> w, ref bool first, string name, long value)
    {
        Key(w, ref first, name);
        var span = w.GetSpan(20);
        value.TryFormat(span, out var n, default, CultureInfo.InvariantCulture);
        w.Advance(n);
    }

    private static void Raw(IBufferWriter<byte> w, ReadOnlySpan<byte> bytes) => w.Write(bytes);

    /// <summary>A JSON string literal with Python's <c>ensure_ascii</c> escaping.</summary>
    public static void WriteString(IBufferWriter<byte> w, string s)
    {
        // Worst case every char becomes \uXXXX (6 bytes).
        var span = w.GetSpan(s.Length * 6 + 2);
        var n = 0;
        span[n++] = (byte)'"';
        foreach (var c in s)
        {
            switch (c)
            {
                case '"': span[n++] = (byte)'\\'; span[n++] = (byte)'"'; break;
                case '\\': span[n++] = (byte)'\\'; span[n++] = (byte)'\\'; break;
                case '\n': span[n++] = (byte)'\\'; span[n++] = (byte)'n'; break;
                case '\r': span[n++] = (byte)'\\'; span[n++] = (byte)'r'; break;
                case '\t': span[n++] = (byte)'\\'; span[n++] = (byte)'t'; break;
                case '\b': span[n++] = (byte)'\\'; span[n++] = (byte)'b'; break;
                case '\f': span[n++] = (byte)'\\'; span[n++] = (byte)'f'; break;
                default:
                    if (c < 0x20 || c > 0x7e)
                    {
                        span[n++] = (byte)'\\';
                        span[n++] = (byte)'u';
                        span[n++] = Hex(c >> 12);
                        span[n++] = Hex((c >> 8) & 0xf);
                        span[n++] = Hex((c >> 4) & 0xf);
                        span[n++] = Hex(c & 0xf);
                    }
                    else
                    {
                        span[n++] = (byte)c;
                    }
                    break;
            }
        }
        span[n++] = (byte)'"';
        w.Advance(n);
    }

    private static byte Hex(int v) => (byte)(v < 10 ? '0' + v : 'a' + v - 10);
}

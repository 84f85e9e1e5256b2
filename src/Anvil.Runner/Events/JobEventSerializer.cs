using System.Buffers;
using System.Globalization;

namespace Anvil.Runner.Events;

/// <summary>
/// Writes a <see cref="JobEvent"/> exactly as ansible-runner does (Python <c>json.dumps</c> defaults:
/// <c>", "</c> and <c>": "</c> separators, non-ASCII escaped, ansible-runner's key order), splicing the
/// callback's <c>event_data</c> bytes unchanged.
/// </summary>
public static class JobEventSerializer
{
    public static byte[] Serialize(JobEvent e)
    {
        var w = new ArrayBufferWriter<byte>(256 + e.Stdout.Length + (e.EventDataJson?.Length ?? 0));
        Write(w, e);
        return w.WrittenSpan.ToArray();
    }

    public static void Write(IBufferWriter<byte> w, JobEvent e)
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
        Raw(w, "}"u8);
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

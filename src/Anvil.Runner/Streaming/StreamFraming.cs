using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Anvil.Events;

namespace Anvil.Runner.Streaming;

/// <summary>The stream ended, or broke, where a framed part was expected (a cut stream).</summary>
public sealed class StreamCutException(string message) : IOException(message);

/// <summary>
/// Reads ansible-runner's stream framing: newline-delimited JSON control lines, and after a <c>{"zipfile": N}</c>
/// line exactly <c>ceil(N/3)*4</c> base64 characters with no line break, after which line reading resumes on the
/// same line. Counts the bytes it really got (ansible-runner's reader counts the bytes it asked for, issue #1545).
/// </summary>
public sealed class StreamFrameReader(Stream input)
{
    private readonly byte[] _buffer = new byte[64 * 1024];
    private int _start;
    private int _end;
    private bool _eof;
    private byte[] _line = new byte[4096];

    /// <summary>Lines read so far (the number of the last line returned, from 1); the base64 of a zip counts as
    /// the start of the line that follows it, as in ansible-runner's stream.</summary>
    public long LineNumber { get; private set; }

    /// <summary>The next line without its newline, or null at the end of the stream. <see cref="LastLineComplete"/>
    /// is false for a last line the stream cut before its newline.</summary>
    public async ValueTask<ReadOnlyMemory<byte>?> ReadLineAsync(CancellationToken ct)
    {
        var length = 0;
        while (true)
        {
            if (_start == _end)
            {
                if (!await FillAsync(ct).ConfigureAwait(false))
                {
                    if (length == 0)
                    {
                        return null;
                    }
                    LineNumber++;
                    LastLineComplete = false;
                    return _line.AsMemory(0, length);
                }
            }
            var span = _buffer.AsSpan(_start, _end - _start);
            var nl = span.IndexOf((byte)'\n');
            var take = nl < 0 ? span.Length : nl;
            if (length + take > _line.Length)
            {
                Array.Resize(ref _line, Math.Max(_line.Length * 2, length + take));
            }
            span[..take].CopyTo(_line.AsSpan(length));
            length += take;
            if (nl >= 0)
            {
                _start += nl + 1;
                LineNumber++;
                LastLineComplete = true;
                return _line.AsMemory(0, length);
            }
            _start = _end;
        }
    }

    /// <summary>True when bytes are waiting in the buffer (reading the next line will not block).</summary>
    public bool HasBufferedData => _start < _end;

    /// <summary>False when the line last returned had no newline (the stream was cut in it).</summary>
    public bool LastLineComplete { get; private set; } = true;

    /// <summary>Decodes the base64 of an <paramref name="size"/>-byte zip into <paramref name="target"/>; throws
    /// <see cref="StreamCutException"/> when the stream ends first, <see cref="FormatException"/> for characters
    /// that are not base64.</summary>
    public async Task ReadBase64Async(long size, Stream target, CancellationToken ct)
    {
        var remaining = (size + 2) / 3 * 4;
        var carry = new byte[4];
        var carried = 0;
        var decoded = new byte[48 * 1024];
        long written = 0;
        while (remaining > 0)
        {
            if (_start == _end && !await FillAsync(ct).ConfigureAwait(false))
            {
                throw new StreamCutException($"the stream ended inside a zip payload: {written} of {size} bytes arrived");
            }
            var take = (int)Math.Min(remaining, _end - _start);
            var chunk = _buffer.AsMemory(_start, take);
            _start += take;
            remaining -= take;
            // Decode whole quads; keep a partial quad for the next chunk.
            var data = chunk;
            if (carried > 0)
            {
                var need = Math.Min(4 - carried, data.Length);
                data.Span[..need].CopyTo(carry.AsSpan(carried));
                carried += need;
                data = data[need..];
                if (carried == 4)
                {
                    written += Decode(carry, decoded, target);
                    carried = 0;
                }
            }
            var whole = data.Length / 4 * 4;
            for (var offset = 0; offset < whole; offset += decoded.Length / 3 * 4)
            {
                var piece = data.Slice(offset, Math.Min(decoded.Length / 3 * 4, whole - offset));
                written += Decode(piece.Span, decoded, target);
            }
            data.Span[whole..].CopyTo(carry);
            carried += data.Length - whole;
        }
        if (written != size)
        {
            throw new FormatException($"the zip payload decoded to {written} bytes, its header announced {size}");
        }
    }

    private static int Decode(ReadOnlySpan<byte> base64, byte[] decoded, Stream target)
    {
        var status = Base64.DecodeFromUtf8(base64, decoded, out _, out var n);
        if (status != OperationStatus.Done)
        {
            throw new FormatException("the zip payload is not valid base64");
        }
        target.Write(decoded, 0, n);
        return n;
    }

    private async ValueTask<bool> FillAsync(CancellationToken ct)
    {
        if (_eof)
        {
            return false;
        }
        _start = 0;
        _end = await input.ReadAsync(_buffer, ct).ConfigureAwait(false);
        if (_end == 0)
        {
            _eof = true;
            return false;
        }
        return true;
    }
}

/// <summary>
/// Writes ansible-runner's stream framing: JSON lines in Python's <c>json.dumps</c> format, zip payloads as
/// <c>{"zipfile": N}</c> and base64 read from a file (never the whole zip in memory). Thread-safe: each line is
/// written whole under a lock, as ansible-runner's worker does.
/// </summary>
public sealed class StreamFrameWriter(Stream output)
{
    private readonly Lock _gate = new();
    private readonly ArrayBufferWriter<byte> _line = new(4096);

    /// <summary>When the last line was written (for keepalives).</summary>
    public long LastWrite { get; private set; } = System.Diagnostics.Stopwatch.GetTimestamp();

    /// <summary>Writes one line built by <paramref name="build"/> (without the newline).</summary>
    public void WriteLine(Action<IBufferWriter<byte>> build)
    {
        lock (_gate)
        {
            _line.ResetWrittenCount();
            build(_line);
            _line.Write("\n"u8);
            output.Write(_line.WrittenSpan);
            output.Flush();
            LastWrite = System.Diagnostics.Stopwatch.GetTimestamp();
        }
    }

    /// <summary>Writes a JSON object line from <paramref name="node"/> in Python's format.</summary>
    public void WriteJson(JsonNode node) => WriteLine(w => PythonJson.Write(w, node));

    /// <summary>Writes a line only when nothing else was written for <paramref name="idle"/>; true when written.</summary>
    public bool WriteIfIdle(TimeSpan idle, ReadOnlySpan<byte> line)
    {
        lock (_gate)
        {
            if (System.Diagnostics.Stopwatch.GetElapsedTime(LastWrite) < idle)
            {
                return false;
            }
            output.Write(line);
            output.Write("\n"u8);
            output.Flush();
            LastWrite = System.Diagnostics.Stopwatch.GetTimestamp();
            return true;
        }
    }

    /// <summary><c>{"zipfile": N}</c> then the base64 of <paramref name="zipPath"/>, no newline after it.</summary>
    public async Task WriteZipAsync(string zipPath, CancellationToken ct)
    {
        await using var source = new FileStream(zipPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        var size = source.Length;
        var raw = new byte[48 * 1024]; // a multiple of 3: no padding until the end
        var encoded = new byte[raw.Length / 3 * 4];
        lock (_gate)
        {
            _line.ResetWrittenCount();
            _line.Write("{\"zipfile\": "u8);
            var span = _line.GetSpan(20);
            size.TryFormat(span, out var n, default, CultureInfo.InvariantCulture);
            _line.Advance(n);
            _line.Write("}\n"u8);
            output.Write(_line.WrittenSpan);
            // The payload is written under the lock too: nothing may come between the header and its bytes.
            long done = 0;
            while (done < size)
            {
                var got = FillExactly(source, raw);
                if (got == 0)
                {
                    throw new IOException($"{zipPath} shrank while it was sent");
                }
                Base64.EncodeToUtf8(raw.AsSpan(0, got), encoded, out _, out var e);
                output.Write(encoded, 0, e);
                done += got;
            }
            output.Flush();
            LastWrite = System.Diagnostics.Stopwatch.GetTimestamp();
        }
        await Task.CompletedTask.ConfigureAwait(false);
        ct.ThrowIfCancellationRequested();
    }

    private static int FillExactly(Stream s, byte[] buffer)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var n = s.Read(buffer, total, buffer.Length - total);
            if (n == 0)
            {
                break;
            }
            total += n;
        }
        return total;
    }

    /// <summary><c>{"eof": true}</c>.</summary>
    public void WriteEof() => WriteLine(w => w.Write("{\"eof\": true}"u8));
}

/// <summary>JSON in the format of Python's <c>json.dumps</c> with its defaults (<c>", "</c> and <c>": "</c>
/// separators, non-ASCII escaped), which is what ansible-runner's streams carry.</summary>
public static class PythonJson
{
    /// <summary>Writes <paramref name="node"/> to <paramref name="w"/>; null is <c>null</c>.</summary>
    public static void Write(IBufferWriter<byte> w, JsonNode? node)
    {
        switch (node)
        {
            case null:
                w.Write("null"u8);
                break;
            case JsonObject o:
                w.Write("{"u8);
                var first = true;
                foreach (var (k, v) in o)
                {
                    if (!first)
                    {
                        w.Write(", "u8);
                    }
                    first = false;
                    JobEventSerializer.WriteString(w, k);
                    w.Write(": "u8);
                    Write(w, v);
                }
                w.Write("}"u8);
                break;
            case JsonArray a:
                w.Write("["u8);
                for (var i = 0; i < a.Count; i++)
                {
                    if (i > 0)
                    {
                        w.Write(", "u8);
                    }
                    Write(w, a[i]);
                }
                w.Write("]"u8);
                break;
            case JsonValue v:
                switch (v.GetValueKind())
                {
                    case JsonValueKind.String:
                        JobEventSerializer.WriteString(w, v.GetValue<string>());
                        break;
                    case JsonValueKind.True:
                        w.Write("true"u8);
                        break;
                    case JsonValueKind.False:
                        w.Write("false"u8);
                        break;
                    default:
                        w.Write(System.Text.Encoding.UTF8.GetBytes(v.ToJsonString()));
                        break;
                }
                break;
        }
    }

    /// <summary><paramref name="node"/> as UTF-8 bytes.</summary>
    public static byte[] Serialize(JsonNode? node)
    {
        var w = new ArrayBufferWriter<byte>(256);
        Write(w, node);
        return w.WrittenSpan.ToArray();
    }
}

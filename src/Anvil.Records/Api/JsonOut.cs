using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Anvil.Records.Storage;

namespace Anvil.Records.Api;

/// <summary>
/// Writes one response: compact JSON streamed by a <see cref="Utf8JsonWriter"/> into a buffer rented from the shared
/// array pool, with ARA's escaping (Python's <c>json.dumps</c> with <c>ensure_ascii</c>: only quotes, backslashes,
/// control characters and non-ASCII are escaped, as lowercase <c>\uXXXX</c>). Stored JSON values are spliced raw.
/// </summary>
internal sealed class JsonOut : IDisposable
{
    // Printable ASCII except the two characters JSON always escapes: such strings are written as they are.
    private static readonly SearchValues<char> Plain =
        SearchValues.Create(Enumerable.Range(0x20, 0x7f - 0x20).Select(i => (char)i).Where(ch => ch is not ('"' or '\\')).ToArray());

    private static readonly JsonWriterOptions Options = new()
    {
        // Only used for strings made of Plain characters, which no encoder changes; the relaxed one just does not
        // look for HTML-sensitive characters.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = true,
    };

    private readonly PooledBuffer _buffer = new();

    public JsonOut()
    {
        W = new Utf8JsonWriter(_buffer, Options);
    }

    public Utf8JsonWriter W { get; }

    /// <summary>The response: the written bytes, copied once out of the pooled buffer.</summary>
    public ApiResponse Finish(int status)
    {
        W.Flush();
        return new ApiResponse(status, _buffer.WrittenSpan.ToArray());
    }

    public void Dispose()
    {
        W.Dispose();
        _buffer.Dispose();
    }

    public void Value(string? s)
    {
        if (s is null)
        {
            W.WriteNullValue();
        }
        else if (s.AsSpan().IndexOfAnyExcept(Plain) < 0)
        {
            W.WriteStringValue(s);
        }
        else
        {
            W.WriteRawValue(Quote(s), skipInputValidation: true);
        }
    }

    public void String(string name, string? value)
    {
        W.WritePropertyName(name);
        Value(value);
    }

    public void Number(string name, long value) => W.WriteNumber(name, value);

    public void Bool(string name, bool value) => W.WriteBoolean(name, value);

    /// <summary>A JSON value stored as text (normalised on write by <see cref="JsonText.Normalize"/>).</summary>
    public void Raw(string name, string json)
    {
        W.WritePropertyName(name);
        W.WriteRawValue(json, skipInputValidation: true);
    }

    public void Time(string name, long micros) => String(name, Clock.Format(micros));

    public void Time(string name, long? micros) => String(name, micros is { } m ? Clock.Format(m) : null);

    /// <summary>ARA's computed duration: <c>ended - started</c>, null while the object has not ended.</summary>
    public void Duration(long started, long? ended) =>
        String("duration", ended is { } e ? Clock.FormatDuration(e - started) : null);

    /// <summary>A uuid stored as 32 hex characters, written dashed; anything else as stored.</summary>
    public void Uuid(string name, string? stored) => String(name, JsonText.DashedUuid(stored));

    /// <summary>A JSON string literal with ARA's escaping.</summary>
    public static string Quote(string s)
    {
        var sb = new StringBuilder(s.Length + 16);
        JsonText.AppendQuoted(sb, s);
        return sb.ToString();
    }

    /// <summary>An <see cref="IBufferWriter{T}"/> over arrays rented from <see cref="ArrayPool{T}.Shared"/>.</summary>
    private sealed class PooledBuffer : IBufferWriter<byte>, IDisposable
    {
        private byte[] _array = ArrayPool<byte>.Shared.Rent(16 * 1024);
        private int _written;

        public ReadOnlySpan<byte> WrittenSpan => _array.AsSpan(0, _written);

        public void Advance(int count) => _written += count;

        public Memory<byte> GetMemory(int sizeHint = 0)
        {
            Ensure(sizeHint);
            return _array.AsMemory(_written);
        }

        public Span<byte> GetSpan(int sizeHint = 0)
        {
            Ensure(sizeHint);
            return _array.AsSpan(_written);
        }

        private void Ensure(int sizeHint)
        {
            sizeHint = Math.Max(sizeHint, 256);
            if (_array.Length - _written >= sizeHint)
            {
                return;
            }
            var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(_array.Length * 2, _written + sizeHint));
            _array.AsSpan(0, _written).CopyTo(bigger);
            ArrayPool<byte>.Shared.Return(_array);
            _array = bigger;
        }

        public void Dispose()
        {
            ArrayPool<byte>.Shared.Return(_array);
            _array = [];
        }
    }
}

/// <summary>JSON text helpers: ARA's escaping, normalising stored values, uuids.</summary>
internal static class JsonText
{
    /// <summary>Appends <paramref name="s"/> as a JSON string escaped like Python's <c>json.dumps(ensure_ascii=True)</c>:
    /// every UTF-16 unit outside printable ASCII becomes <c>\uxxxx</c> (so astral characters become surrogate pairs).</summary>
    public static void AppendQuoted(StringBuilder sb, string s)
    {
        sb.Append('"');
        foreach (var ch in s)
        {
            switch (ch)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case '\b': sb.Append("\\b"); break;
                case '\f': sb.Append("\\f"); break;
                default:
                    if (ch is < ' ' or > '~')
                    {
                        sb.Append("\\u").Append(((int)ch).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        sb.Append(ch);
                    }
                    break;
            }
        }
        sb.Append('"');
    }

    /// <summary>A received JSON value as stored: compact, ARA-escaped, keys in received order, numbers as written.
    /// Stored this way once, it is spliced into every response without being parsed again.</summary>
    public static string Normalize(JsonElement value)
    {
        var sb = new StringBuilder();
        try
        {
            Append(sb, value);
        }
        catch (InvalidOperationException)
        {
            // A lone surrogate escape (valid JSON, not valid UTF-16): keep the value exactly as it was sent.
            return value.GetRawText();
        }
        return sb.ToString();
    }

    private static void Append(StringBuilder sb, JsonElement e)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.Object:
                sb.Append('{');
                var first = true;
                foreach (var p in e.EnumerateObject())
                {
                    if (!first)
                    {
                        sb.Append(',');
                    }
                    first = false;
                    AppendQuoted(sb, p.Name);
                    sb.Append(':');
                    Append(sb, p.Value);
                }
                sb.Append('}');
                break;
            case JsonValueKind.Array:
                sb.Append('[');
                var firstItem = true;
                foreach (var item in e.EnumerateArray())
                {
                    if (!firstItem)
                    {
                        sb.Append(',');
                    }
                    firstItem = false;
                    Append(sb, item);
                }
                sb.Append(']');
                break;
            case JsonValueKind.String:
                AppendQuoted(sb, e.GetString()!);
                break;
            case JsonValueKind.Number:
                sb.Append(e.GetRawText());
                break;
            case JsonValueKind.True:
                sb.Append("true");
                break;
            case JsonValueKind.False:
                sb.Append("false");
                break;
            default:
                sb.Append("null");
                break;
        }
    }

    /// <summary>Python's <c>uuid.UUID(hex)</c> parsing: optional <c>urn:</c>/<c>uuid:</c> prefix, braces and dashes,
    /// then exactly 32 hex digits. Returns the stored form (32 lowercase hex digits) or null.</summary>
    public static string? ParseUuid(string text)
    {
        var s = text.Replace("urn:", "", StringComparison.Ordinal).Replace("uuid:", "", StringComparison.Ordinal)
            .Trim('{', '}').Replace("-", "", StringComparison.Ordinal);
        if (s.Length != 32)
        {
            return null;
        }
        foreach (var ch in s)
        {
            if (!char.IsAsciiHexDigit(ch))
            {
                return null;
            }
        }
        return s.ToLowerInvariant();
    }

    /// <summary>The output form of a stored uuid: <c>8-4-4-4-12</c>, lowercase.</summary>
    public static string? DashedUuid(string? stored)
    {
        if (stored is not { Length: 32 } || !stored.All(char.IsAsciiHexDigit))
        {
            return stored;
        }
        var s = stored.ToLowerInvariant();
        return $"{s[..8]}-{s[8..12]}-{s[12..16]}-{s[16..20]}-{s[20..]}";
    }
}

using System.Buffers;
using System.Buffers.Text;

namespace Anvil.Runner.Events;

/// <summary>Receives what <see cref="MarkerStreamParser"/> finds in the byte stream, in stream order.</summary>
internal interface IMarkerSink
{
    /// <summary>Bytes of ordinary output (outside any marker).</summary>
    void OnText(ReadOnlySpan<byte> text);

    /// <summary>A complete marker's decoded payload (JSON bytes); empty when the payload is not valid base64.</summary>
    void OnMarker(byte[] payload);
}

/// <summary>
/// Finds in-band event markers, <c>ESC[K (base64 ESC[nD)+ ESC[K</c>, in output that arrives in arbitrary pieces.
/// A byte-level state machine: linear in the input, markers may be split anywhere across reads, and a sequence
/// that starts like a marker but is not one is given back as text.
/// </summary>
internal sealed class MarkerStreamParser
{
    private const byte Esc = 0x1b;

    private enum State
    {
        Text,
        Esc,           // ESC
        Bracket,       // ESC[
        ChunkStart,    // ESC[K, a chunk must follow
        Base64,        // inside a chunk
        LengthEsc,     // chunk ESC
        LengthBracket, // chunk ESC[
        LengthDigits,  // chunk ESC[12
        AfterChunk,    // chunk ESC[12D: another chunk or the closing ESC[K
        EndEsc,        // ... ESC
        EndBracket,    // ... ESC[
    }

    private readonly IMarkerSink _sink;
    private readonly ArrayBufferWriter<byte> _candidate = new(256);
    private State _state = State.Text;

    public MarkerStreamParser(IMarkerSink sink) => _sink = sink;

    public void Feed(ReadOnlySpan<byte> data)
    {
        var i = 0;
        while (i < data.Length)
        {
            if (_state == State.Text)
            {
                var rest = data[i..];
                var esc = rest.IndexOf(Esc);
                if (esc < 0)
                {
                    _sink.OnText(rest);
                    return;
                }
                if (esc > 0)
                {
                    _sink.OnText(rest[..esc]);
                }
                i += esc + 1;
                _candidate.Clear();
                Append(Esc);
                _state = State.Esc;
                continue;
            }

            if (_state == State.Base64)
            {
                // Payloads can be megabytes: copy the run of base64 characters in one go.
                var run = data[i..].IndexOfAnyExcept(Base64Chars);
                if (run < 0)
                {
                    _candidate.Write(data[i..]);
                    return;
                }
                _candidate.Write(data.Slice(i, run));
                i += run;
            }

            var b = data[i];
            var next = Step(b);
            if (next is null)
            {
                // Not a marker after all: what was held back is text; reconsider this byte from the text state.
                _state = State.Text;
                _sink.OnText(_candidate.WrittenSpan);
                _candidate.Clear();
                continue;
            }
            i++;
            Append(b);
            _state = next.Value;
            if (_state == State.Text)
            {
                CompleteMarker();
            }
        }
    }

    /// <summary>End of stream: a half-received marker is text.</summary>
    public void Flush()
    {
        if (_state != State.Text && _candidate.WrittenCount > 0)
        {
            _sink.OnText(_candidate.WrittenSpan);
        }
        _candidate.Clear();
        _state = State.Text;
    }

    // Returns the state after consuming b, State.Text when a marker completes, or null when b breaks the marker.
    private State? Step(byte b) => _state switch
    {
        State.Esc => b == (byte)'[' ? State.Bracket : null,
        State.Bracket => b == (byte)'K' ? State.ChunkStart : null,
        State.ChunkStart => IsBase64(b) ? State.Base64 : null,
        State.Base64 => IsBase64(b) ? State.Base64 : b == Esc ? State.LengthEsc : null,
        State.LengthEsc => b == (byte)'[' ? State.LengthBracket : null,
        State.LengthBracket => IsDigit(b) ? State.LengthDigits : null,
        State.LengthDigits => IsDigit(b) ? State.LengthDigits : b == (byte)'D' ? State.AfterChunk : null,
        State.AfterChunk => IsBase64(b) ? State.Base64 : b == Esc ? State.EndEsc : null,
        State.EndEsc => b == (byte)'[' ? State.EndBracket : null,
        State.EndBracket => b == (byte)'K' ? State.Text : null,
        _ => null,
    };

    private void CompleteMarker()
    {
        // Candidate: ESC[K chunk ESC[nD chunk ESC[nD ... ESC[K. Keep only the base64 characters.
        var raw = _candidate.WrittenSpan[3..^3];
        var base64 = new byte[raw.Length];
        var n = 0;
        var inEscape = false;
        foreach (var c in raw)
        {
            if (c == Esc)
            {
                inEscape = true;
            }
            else if (inEscape)
            {
                if (c == (byte)'D')
                {
                    inEscape = false;
                }
            }
            else
            {
                base64[n++] = c;
            }
        }
        _candidate.Clear();
        var decoded = new byte[Base64.GetMaxDecodedFromUtf8Length(n)];
        var status = Base64.DecodeFromUtf8(base64.AsSpan(0, n), decoded, out _, out var written);
        _sink.OnMarker(status == OperationStatus.Done ? decoded.AsSpan(0, written).ToArray() : []);
    }

    private void Append(byte b)
    {
        _candidate.GetSpan(1)[0] = b;
        _candidate.Advance(1);
    }

    private static readonly SearchValues<byte> Base64Chars =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/="u8);

    private static bool IsDigit(byte b) => b is >= (byte)'0' and <= (byte)'9';

    private static bool IsBase64(byte b) =>
        b is >= (byte)'A' and <= (byte)'Z' or >= (byte)'a' and <= (byte)'z' or >= (byte)'0' and <= (byte)'9'
            or (byte)'+' or (byte)'/' or (byte)'=';
}

using System.Text;
using System.Text.RegularExpressions;
using Anvil.Runner.Events;
using Anvil.Runner.Inputs;

namespace Anvil.Runner.Execution;

/// <summary>
/// Answers prompts from <c>env/passwords</c>. It sees the job's text with the event markers already taken out
/// (it sits between the marker parser and the event assembler), and a marker counts as the start of a line: so a
/// pattern anchored with <c>^</c> matches a prompt printed right after an event, which ansible-runner's never does
/// because it searches the raw stream, where the previous event's end marker comes first on that line.
/// </summary>
internal sealed class PromptResponder : IMarkerSink
{
    /// <summary>How much recent text patterns are matched against (ansible-runner: the last 100 characters).</summary>
    private const int Window = 4096;

    private readonly IMarkerSink _inner;
    private readonly (Regex Pattern, Secret Answer)[] _prompts;
    private readonly Decoder _decoder = new UTF8Encoding(false, false).GetDecoder();
    private readonly StringBuilder _text = new();
    private char[] _chars = new char[4096];
    private bool _changed;
    private bool _insideEvent;

    public PromptResponder(IMarkerSink inner, IReadOnlyList<PasswordPrompt> prompts)
    {
        _inner = inner;
        _prompts = prompts.Select(p => (CommandBuilder.PromptPattern(p.Pattern), p.Response)).ToArray();
    }

    public void OnText(ReadOnlySpan<byte> text)
    {
        _inner.OnText(text);
        var max = _decoder.GetCharCount(text, flush: false);
        if (_chars.Length < max)
        {
            _chars = new char[max];
        }
        var n = _decoder.GetChars(text, _chars, flush: false);
        if (n == 0)
        {
            return;
        }
        _text.Append(_chars, 0, n);
        if (_text.Length > Window)
        {
            // Keep whole lines where possible, so that ^ never matches in the middle of one.
            var cut = _text.Length - Window;
            var s = _text.ToString(cut, _text.Length - cut);
            var nl = s.IndexOf('\n');
            _text.Clear().Append(nl >= 0 ? s[(nl + 1)..] : s);
        }
        _changed = true;
    }

    public void OnMarker(byte[] payload)
    {
        _inner.OnMarker(payload);
        _text.Clear();
        _decoder.Reset();
        // A begin marker carries the event (with its uuid); the end marker is an empty mapping.
        _insideEvent = payload.AsSpan().IndexOf("\"uuid\""u8) >= 0;
        _changed = false;
    }

    /// <summary>The answer to type when a pattern matched the text seen since the last call, or null. The text up
    /// to the end of the match is consumed, so a prompt is answered once.</summary>
    public byte[]? TakeAnswer()
    {
        if (!_changed)
        {
            return null;
        }
        _changed = false;
        var text = _text.ToString();
        Match? best = null;
        Secret? answer = null;
        foreach (var (pattern, response) in _prompts)
        {
            Match m;
            try
            {
                m = pattern.Match(text);
            }
            catch (RegexMatchTimeoutException)
            {
                continue;
            }
            // The earliest match wins; between equal positions, the first pattern (pexpect's rule).
            if (m.Success && (best is null || m.Index < best.Index))
            {
                best = m;
                answer = response;
            }
        }
        if (best is null)
        {
            return null;
        }
        _text.Remove(0, best.Index + best.Length);
        return Encoding.UTF8.GetBytes(answer!.Reveal() + "\n");
    }

    /// <summary>The job's output rests on a partial line outside any event: something is waiting for input that
    /// no pattern answered.</summary>
    public bool AtUnansweredPrompt => !_insideEvent && _text.Length > 0 && _text[^1] != '\n';

    /// <summary>The prompt's text, for the message that says the job was ended at it.</summary>
    public string PendingPrompt
    {
        get
        {
            var s = _text.ToString();
            var nl = s.LastIndexOf('\n');
            return (nl >= 0 ? s[(nl + 1)..] : s).Trim();
        }
    }
}

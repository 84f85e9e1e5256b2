using System.Text;

namespace Anvil.Server.Ui.Html;

/// <summary>
/// Console text with ANSI escape sequences (what Ansible writes with colours forced) as escaped HTML: SGR colours and
/// bold become <c>&lt;span class="…"&gt;</c> with the theme's palette (classes, not inline styles, so that the
/// page's Content-Security-Policy can forbid inline styles); every other escape sequence and control character is
/// dropped. The state carries across calls, since a colour may span several events.
/// </summary>
internal sealed class AnsiHtml
{
    private int _fg = -1; // 0–15, or -1 for the default
    private int _bg = -1;
    private bool _bold;
    private bool _open;

    /// <summary>Renders one string on its own (colours do not leak out of it).</summary>
    public static string Render(string text)
    {
        var sb = new StringBuilder(text.Length + 32);
        Write(sb, text);
        return sb.ToString();
    }

    /// <summary>Appends one string on its own (colours do not leak out of it).</summary>
    public static void Write(StringBuilder sb, string text)
    {
        var ansi = new AnsiHtml();
        ansi.Append(sb, text);
        ansi.Close(sb);
    }

    /// <summary>The text without its escape sequences (and without HTML escaping).</summary>
    public static string Strip(string text)
    {
        if (!text.Contains('\x1b', StringComparison.Ordinal))
        {
            return text;
        }
        var sb = new StringBuilder(text.Length);
        var ansi = new AnsiHtml();
        for (var i = 0; i < text.Length;)
        {
            if (text[i] == '\x1b')
            {
                i = ansi.Escape(text, i + 1);
                continue;
            }
            sb.Append(text[i++]);
        }
        return sb.ToString();
    }

    /// <summary>Appends <paramref name="text"/>, keeping the colour state for the next call.</summary>
    public void Append(StringBuilder sb, string text)
    {
        var i = 0;
        var plainStart = 0;
        while (i < text.Length)
        {
            var ch = text[i];
            if (ch == '\x1b')
            {
                Flush(sb, text.AsSpan(plainStart, i - plainStart));
                i = Escape(text, i + 1);
                plainStart = i;
                continue;
            }
            if (ch < ' ' && ch is not ('\n' or '\t') || ch == '\x7f')
            {
                // Other control characters (a bell, a carriage return from a progress line) have no place in HTML.
                Flush(sb, text.AsSpan(plainStart, i - plainStart));
                plainStart = i + 1;
            }
            i++;
        }
        Flush(sb, text.AsSpan(plainStart, text.Length - plainStart));
    }

    /// <summary>Closes an open colour span (the colour carries on into the next <see cref="Append"/>).</summary>
    public void Close(StringBuilder sb)
    {
        if (_open)
        {
            sb.Append("</span>");
            _open = false;
            _dirty = true;
        }
    }

    private bool _dirty = true;

    private void Flush(StringBuilder sb, ReadOnlySpan<char> plain)
    {
        if (plain.IsEmpty)
        {
            return;
        }
        if (_dirty)
        {
            Close(sb);
            var classes = Classes();
            if (classes.Length > 0)
            {
                sb.Append("<span class=\"").Append(classes).Append("\">");
                _open = true;
            }
            _dirty = false;
        }
        Fmt.Escape(sb, plain);
    }

    private string Classes()
    {
        var parts = new List<string>(3);
        if (_bold)
        {
            parts.Add("a-b");
        }
        // Bold with a basic colour is shown bright, as terminals do.
        var fg = _bold && _fg is >= 0 and < 8 ? _fg + 8 : _fg;
        if (fg >= 0)
        {
            parts.Add("a-f" + fg.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        if (_bg >= 0)
        {
            parts.Add("a-g" + _bg.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        return string.Join(' ', parts);
    }

    /// <summary>Consumes the escape sequence after an ESC at <paramref name="i"/>; returns where the text resumes.</summary>
    private int Escape(string text, int i)
    {
        if (i >= text.Length)
        {
            return i;
        }
        if (text[i] != '[')
        {
            return i + 1; // a two-character escape (ESC c, ESC 7 …)
        }
        var start = ++i;
        while (i < text.Length && text[i] is >= '0' and <= '?')
        {
            i++; // parameter bytes
        }
        var paramsEnd = i;
        while (i < text.Length && text[i] is >= ' ' and <= '/')
        {
            i++; // intermediate bytes
        }
        if (i >= text.Length)
        {
            return i;
        }
        if (text[i] == 'm')
        {
            Sgr(text.AsSpan(start, paramsEnd - start));
        }
        return i + 1;
    }

    private void Sgr(ReadOnlySpan<char> parameters)
    {
        Span<int> codes = stackalloc int[16];
        var n = 0;
        var value = 0;
        var any = false;
        foreach (var ch in parameters)
        {
            if (ch is >= '0' and <= '9')
            {
                value = Math.Min(value * 10 + (ch - '0'), 9999);
                any = true;
            }
            else if (ch is ';' or ':')
            {
                if (n < codes.Length)
                {
                    codes[n++] = any ? value : 0;
                }
                value = 0;
                any = false;
            }
        }
        if (n < codes.Length)
        {
            codes[n++] = any ? value : 0;
        }
        for (var k = 0; k < n; k++)
        {
            var c = codes[k];
            switch (c)
            {
                case 0: _fg = -1; _bg = -1; _bold = false; break;
                case 1: _bold = true; break;
                case 22: _bold = false; break;
                case >= 30 and <= 37: _fg = c - 30; break;
                case 39: _fg = -1; break;
                case >= 40 and <= 47: _bg = c - 40; break;
                case 49: _bg = -1; break;
                case >= 90 and <= 97: _fg = c - 90 + 8; break;
                case >= 100 and <= 107: _bg = c - 100 + 8; break;
                case 38 or 48:
                    // 256-colour (5;n) keeps the 16 basic ones; others, and true colour (2;r;g;b), are skipped.
                    var target = c;
                    if (k + 2 < n && codes[k + 1] == 5)
                    {
                        var index = codes[k + 2];
                        if (index < 16)
                        {
                            if (target == 38)
                            {
                                _fg = index;
                            }
                            else
                            {
                                _bg = index;
                            }
                        }
                        k += 2;
                    }
                    else if (k + 1 < n && codes[k + 1] == 2)
                    {
                        k += 4;
                    }
                    break;
            }
        }
        _dirty = true;
    }
}

using System.Text;

namespace Anvil.Server.Ui.Html;

/// <summary>
/// A small YAML highlighter for playbooks and task files, line by line (each line must be its own element so that
/// <c>#line-N</c> can target it): comments, keys, strings, literals (numbers, booleans, null), Jinja expressions,
/// anchors, tags and block scalars. It only colours; text it does not understand is left plain, never dropped.
/// </summary>
internal sealed class YamlHtml
{
    // Column a block scalar's key starts at while inside one (its lines are indented further), else -1.
    private int _blockColumn = -1;

    /// <summary>Every line of <paramref name="text"/> as escaped, highlighted HTML (without the newline).</summary>
    public static IReadOnlyList<string> Lines(string text)
    {
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        var count = lines.Length > 1 && lines[^1].Length == 0 ? lines.Length - 1 : lines.Length; // no phantom last line
        var highlighter = new YamlHtml();
        var html = new List<string>(count);
        for (var i = 0; i < count; i++)
        {
            html.Add(highlighter.Line(lines[i]));
        }
        return html;
    }

    private string Line(string line)
    {
        var sb = new StringBuilder(line.Length + 32);
        var indent = 0;
        while (indent < line.Length && line[indent] == ' ')
        {
            indent++;
        }
        if (_blockColumn >= 0)
        {
            if (indent == line.Length || indent > _blockColumn)
            {
                Span(sb, "y-s", line);
                return sb.ToString();
            }
            _blockColumn = -1;
        }
        Fmt.Escape(sb, line.AsSpan(0, indent));
        var rest = line.AsSpan(indent);
        if (rest.StartsWith("#"))
        {
            Span(sb, "y-c", rest);
            return sb.ToString();
        }
        if (rest is "---" or "..." || rest.StartsWith("--- "))
        {
            Span(sb, "y-p", rest[..3]);
            Value(sb, rest[3..], indent);
            return sb.ToString();
        }
        var column = indent;
        while (rest.Length > 0 && rest[0] == '-' && (rest.Length == 1 || rest[1] == ' '))
        {
            Span(sb, "y-p", "-");
            var spaces = 1;
            while (spaces < rest.Length && rest[spaces] == ' ')
            {
                spaces++;
            }
            sb.Append(rest[1..spaces]);
            column += spaces;
            rest = rest[spaces..];
        }
        var keyEnd = KeyEnd(rest);
        if (keyEnd > 0)
        {
            Span(sb, "y-k", rest[..keyEnd]);
            Span(sb, "y-p", ":");
            rest = rest[(keyEnd + 1)..];
        }
        Value(sb, rest, column);
        return sb.ToString();
    }

    /// <summary>Where the mapping key of <paramref name="s"/> ends (the index of its colon), or -1 when the line is
    /// not <c>key: …</c>.</summary>
    private static int KeyEnd(ReadOnlySpan<char> s)
    {
        if (s.IsEmpty || s[0] is '{' or '[' or '#' or '|' or '>' or '&' or '*' or '!')
        {
            return -1;
        }
        var i = 0;
        if (s[0] is '"' or '\'')
        {
            i = QuoteEnd(s, 0);
            if (i < 0)
            {
                return -1;
            }
            while (i < s.Length && s[i] == ' ')
            {
                i++;
            }
            return i < s.Length && s[i] == ':' && (i + 1 == s.Length || s[i + 1] == ' ') ? i : -1;
        }
        for (; i < s.Length; i++)
        {
            if (s[i] == '#' && i > 0 && s[i - 1] == ' ')
            {
                return -1;
            }
            if (s[i] == ':' && (i + 1 == s.Length || s[i + 1] == ' '))
            {
                return i;
            }
        }
        return -1;
    }

    /// <summary>The index just past the quoted string starting at <paramref name="start"/>, or -1 if unterminated.</summary>
    private static int QuoteEnd(ReadOnlySpan<char> s, int start)
    {
        var q = s[start];
        for (var i = start + 1; i < s.Length; i++)
        {
            if (q == '"' && s[i] == '\\')
            {
                i++;
            }
            else if (s[i] == q)
            {
                if (q == '\'' && i + 1 < s.Length && s[i + 1] == '\'')
                {
                    i++; // '' is an escaped quote
                    continue;
                }
                return i + 1;
            }
        }
        return -1;
    }

    private void Value(StringBuilder sb, ReadOnlySpan<char> s, int column)
    {
        var first = true;
        var i = 0;
        while (i < s.Length)
        {
            var ch = s[i];
            if (ch == ' ' || ch == '\t')
            {
                sb.Append(ch);
                i++;
                continue;
            }
            if (ch == '#' && (i == 0 || s[i - 1] is ' ' or '\t'))
            {
                Span(sb, "y-c", s[i..]);
                return;
            }
            if (first && ch is '|' or '>' && BlockIndicator(s[i..]) is var n and > 0)
            {
                Span(sb, "y-p", s.Slice(i, n));
                _blockColumn = column;
                i += n;
                first = false;
                continue;
            }
            first = false;
            if (ch is '"' or '\'')
            {
                var end = QuoteEnd(s, i);
                end = end < 0 ? s.Length : end;
                sb.Append("<span class=\"y-s\">");
                Jinja(sb, s[i..end]);
                sb.Append("</span>");
                i = end;
                continue;
            }
            if (ch is '{' or '}' or '[' or ']' or ',')
            {
                if (ch == '{' && i + 1 < s.Length && s[i + 1] == '{')
                {
                    var close = s[i..].IndexOf("}}");
                    var end = close < 0 ? s.Length : i + close + 2;
                    Span(sb, "y-j", s[i..end]);
                    i = end;
                    continue;
                }
                Span(sb, "y-p", s.Slice(i, 1));
                i++;
                continue;
            }
            var wordEnd = i;
            while (wordEnd < s.Length && s[wordEnd] is not (' ' or '\t' or ',' or '[' or ']' or '{' or '}'))
            {
                wordEnd++;
            }
            var word = s[i..wordEnd];
            if (word.Length > 1 && word[^1] == ':')
            {
                Span(sb, "y-k", word[..^1]); // a key inside a flow mapping
                Span(sb, "y-p", ":");
            }
            else if (ch is '&' or '*' or '!')
            {
                Span(sb, "y-a", word);
            }
            else if (IsLiteral(word))
            {
                Span(sb, "y-n", word);
            }
            else
            {
                Jinja(sb, word);
            }
            i = wordEnd;
        }
    }

    /// <summary>The length of a block scalar indicator (<c>|</c>, <c>&gt;-</c>, <c>|2+</c> …) at the start of
    /// <paramref name="s"/> when nothing but a comment follows it; else 0.</summary>
    private static int BlockIndicator(ReadOnlySpan<char> s)
    {
        var n = 1;
        while (n < s.Length && s[n] is '-' or '+' or (>= '1' and <= '9'))
        {
            n++;
        }
        var after = s[n..].TrimStart(' ');
        return after.IsEmpty || after[0] == '#' ? n : 0;
    }

    private static bool IsLiteral(ReadOnlySpan<char> word) =>
        word is "true" or "false" or "True" or "False" or "yes" or "no" or "on" or "off" or "null" or "~" or "Null" or "NULL"
        || double.TryParse(word, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out _);

    /// <summary>Escapes text, marking <c>{{ … }}</c> and <c>{% … %}</c> as Jinja.</summary>
    private static void Jinja(StringBuilder sb, ReadOnlySpan<char> s)
    {
        while (!s.IsEmpty)
        {
            var open = s.IndexOfAny("{");
            while (open >= 0 && (open + 1 >= s.Length || s[open + 1] is not ('{' or '%')))
            {
                var next = s[(open + 1)..].IndexOf('{');
                open = next < 0 ? -1 : open + 1 + next;
            }
            if (open < 0)
            {
                Fmt.Escape(sb, s);
                return;
            }
            Fmt.Escape(sb, s[..open]);
            var closer = s[open + 1] == '{' ? "}}" : "%}";
            var close = s[(open + 2)..].IndexOf(closer);
            var end = close < 0 ? s.Length : open + 2 + close + 2;
            Span(sb, "y-j", s[open..end]);
            s = s[end..];
        }
    }

    private static void Span(StringBuilder sb, string cls, ReadOnlySpan<char> text)
    {
        sb.Append("<span class=\"").Append(cls).Append("\">");
        Fmt.Escape(sb, text);
        sb.Append("</span>");
    }
}

using System.Text;

namespace Anvil.Runner.Inputs;

/// <summary>Splits a command line the way Python's <c>shlex.split</c> does (POSIX rules), which is how
/// ansible-runner reads <c>env/cmdline</c> and <c>--cmdline</c>.</summary>
public static class ShellWords
{
    /// <summary>The words of <paramref name="text"/>, quotes and escapes resolved.</summary>
    /// <exception cref="FormatException">Unclosed quote or trailing escape.</exception>
    public static IReadOnlyList<string> Split(string text)
    {
        var words = new List<string>();
        var current = new StringBuilder();
        var inWord = false;
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c))
            {
                if (inWord)
                {
                    words.Add(current.ToString());
                    current.Clear();
                    inWord = false;
                }
                i++;
            }
            else if (c == '\'')
            {
                inWord = true;
                var end = text.IndexOf('\'', i + 1);
                if (end < 0)
                {
                    throw new FormatException("No closing quotation");
                }
                current.Append(text, i + 1, end - i - 1);
                i = end + 1;
            }
            else if (c == '"')
            {
                inWord = true;
                i++;
                var closed = false;
                while (i < text.Length)
                {
                    var d = text[i];
                    if (d == '"')
                    {
                        closed = true;
                        i++;
                        break;
                    }
                    if (d == '\\' && i + 1 < text.Length && text[i + 1] is '\\' or '"' or '$' or '`' or '\n')
                    {
                        if (text[i + 1] != '\n')
                        {
                            current.Append(text[i + 1]);
                        }
                        i += 2;
                        continue;
                    }
                    current.Append(d);
                    i++;
                }
                if (!closed)
                {
                    throw new FormatException("No closing quotation");
                }
            }
            else if (c == '\\')
            {
                if (i + 1 >= text.Length)
                {
                    throw new FormatException("No escaped character");
                }
                inWord = true;
                if (text[i + 1] != '\n')
                {
                    current.Append(text[i + 1]);
                }
                i += 2;
            }
            else
            {
                inWord = true;
                current.Append(c);
                i++;
            }
        }
        if (inWord)
        {
            words.Add(current.ToString());
        }
        return words;
    }

    /// <summary>Quotes a word for a POSIX shell, for display only (e.g. the command a user can copy).</summary>
    public static string Quote(string word)
    {
        if (word.Length > 0 && word.All(ch => char.IsAsciiLetterOrDigit(ch) || "@%+=:,./-_".Contains(ch)))
        {
            return word;
        }
        return "'" + word.Replace("'", "'\"'\"'") + "'";
    }
}

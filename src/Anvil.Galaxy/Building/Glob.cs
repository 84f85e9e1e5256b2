using System.Text;
using System.Text.RegularExpressions;

namespace Anvil.Galaxy.Building;

/// <summary>Shell patterns as Python reads them: <c>fnmatch</c> (where <c>*</c> also matches <c>/</c>, used for
/// <c>build_ignore</c>) and distlib's MANIFEST.in patterns (where <c>*</c> and <c>?</c> stop at <c>/</c>).</summary>
internal static class Glob
{
    /// <summary>Python's <c>fnmatch.fnmatch</c> on POSIX (case-sensitive).</summary>
    public static Regex FnMatch(string pattern) =>
        new("^(?s:" + Translate(pattern, "(?s:.*)", ".") + ")\\z", RegexOptions.CultureInvariant);

    /// <summary>A pattern body in distlib's flavour, without anchors.</summary>
    public static string DistlibBody(string pattern) => Translate(pattern, "[^/]*", "[^/]");

    private static string Translate(string pattern, string star, string question)
    {
        var sb = new StringBuilder();
        var i = 0;
        var n = pattern.Length;
        while (i < n)
        {
            var c = pattern[i++];
            switch (c)
            {
                case '*':
                    // Consecutive stars are one.
                    while (i < n && pattern[i] == '*')
                    {
                        i++;
                    }
                    sb.Append(star);
                    break;
                case '?':
                    sb.Append(question);
                    break;
                case '[':
                    var j = i;
                    if (j < n && pattern[j] == '!')
                    {
                        j++;
                    }
                    if (j < n && pattern[j] == ']')
                    {
                        j++;
                    }
                    while (j < n && pattern[j] != ']')
                    {
                        j++;
                    }
                    if (j >= n)
                    {
                        sb.Append("\\[");
                        break;
                    }
                    var stuff = pattern[i..j];
                    i = j + 1;
                    if (stuff.Length == 0)
                    {
                        sb.Append("(?!)");
                    }
                    else if (stuff == "!")
                    {
                        sb.Append('.');
                    }
                    else
                    {
                        var negate = stuff[0] == '!';
                        var body = negate ? stuff[1..] : stuff;
                        var cls = new StringBuilder();
                        foreach (var ch in body)
                        {
                            // Keep ranges; escape what .NET would read specially inside a class.
                            cls.Append(ch is '\\' or '[' or ']' or '^' ? "\\" + ch : ch.ToString());
                        }
                        sb.Append('[').Append(negate ? "^" : "").Append(cls).Append(']');
                    }
                    break;
                default:
                    sb.Append(Regex.Escape(c.ToString()));
                    break;
            }
        }
        return sb.ToString();
    }
}

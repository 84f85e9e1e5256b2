using System.Globalization;
using System.Text;

namespace Anvil.Yaml;

/// <summary>How Python 3 prints values (<c>str()</c> and <c>repr()</c>), for the places where ansible-runner hands a
/// Python value on as text.</summary>
public static class PythonFormat
{
    /// <summary><c>repr(float)</c> (= <c>str(float)</c>): the shortest digits that read back, positional for
    /// decimal exponents from -4 to 16 (<c>100000.0</c>, <c>0.0001</c>), else <c>1e+16</c> / <c>1.5e-07</c>.</summary>
    public static string Float(double d)
    {
        if (double.IsNaN(d))
        {
            return "nan";
        }
        if (double.IsInfinity(d))
        {
            return d > 0 ? "inf" : "-inf";
        }
        // .NET's "R" gives the same shortest round-trip digits as Python's repr; only the layout differs.
        var r = d.ToString("R", CultureInfo.InvariantCulture);
        var negative = r.StartsWith('-');
        if (negative)
        {
            r = r[1..];
        }
        var exponent = 0;
        var e = r.IndexOfAny(['E', 'e']);
        if (e >= 0)
        {
            exponent = int.Parse(r[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            r = r[..e];
        }
        var point = r.IndexOf('.', StringComparison.Ordinal);
        var digits = point >= 0 ? r.Remove(point, 1) : r;
        var decimalPoint = (point >= 0 ? point : r.Length) + exponent; // the value is 0.<digits> × 10^decimalPoint
        var leading = digits.Length - digits.TrimStart('0').Length;
        digits = digits.Trim('0');
        decimalPoint -= leading;
        if (digits.Length == 0)
        {
            return negative ? "-0.0" : "0.0";
        }
        var sb = new StringBuilder();
        if (negative)
        {
            sb.Append('-');
        }
        if (decimalPoint is > -4 and <= 16)
        {
            if (decimalPoint <= 0)
            {
                sb.Append("0.").Append('0', -decimalPoint).Append(digits);
            }
            else if (decimalPoint >= digits.Length)
            {
                sb.Append(digits).Append('0', decimalPoint - digits.Length).Append(".0");
            }
            else
            {
                sb.Append(digits, 0, decimalPoint).Append('.').Append(digits, decimalPoint, digits.Length - decimalPoint);
            }
        }
        else
        {
            sb.Append(digits[0]);
            if (digits.Length > 1)
            {
                sb.Append('.').Append(digits, 1, digits.Length - 1);
            }
            var x = decimalPoint - 1;
            sb.Append('e').Append(x < 0 ? '-' : '+').Append(Math.Abs(x).ToString("D2", CultureInfo.InvariantCulture));
        }
        return sb.ToString();
    }

    /// <summary><c>repr(str)</c>: single quotes unless the text holds a single quote and no double quote.</summary>
    public static string StringRepr(string s)
    {
        var quote = s.Contains('\'', StringComparison.Ordinal) && !s.Contains('"', StringComparison.Ordinal) ? '"' : '\'';
        var sb = new StringBuilder().Append(quote);
        foreach (var rune in s.EnumerateRunes())
        {
            var c = rune.Value;
            switch (c)
            {
                case '\\': sb.Append(@"\\"); break;
                case '\n': sb.Append(@"\n"); break;
                case '\r': sb.Append(@"\r"); break;
                case '\t': sb.Append(@"\t"); break;
                case var q when q == quote: sb.Append('\\').Append(quote); break;
                case < 0x20 or 0x7f:
                    sb.Append(CultureInfo.InvariantCulture, $"\\x{c:x2}");
                    break;
                case >= 0x80 and < 0xa0:
                    sb.Append(CultureInfo.InvariantCulture, $"\\x{c:x2}");
                    break;
                default:
                    sb.Append(rune.ToString());
                    break;
            }
        }
        return sb.Append(quote).ToString();
    }
}

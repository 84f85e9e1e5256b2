using System.Globalization;
using System.Numerics;
using System.Text.RegularExpressions;

namespace Anvil.Yaml;

/// <summary>The type PyYAML's safe loader (YAML 1.1) gives a scalar.</summary>
public enum Yaml11Kind
{
    /// <summary><c>~</c>, <c>null</c>, <c>Null</c>, <c>NULL</c> or nothing: Python's <c>None</c>.</summary>
    Null,

    /// <summary><c>yes</c>/<c>no</c>, <c>true</c>/<c>false</c>, <c>on</c>/<c>off</c> in their three casings.</summary>
    Bool,

    /// <summary>Decimal, octal (<c>0777</c>), hexadecimal, binary, sexagesimal (<c>1:30</c>), with <c>_</c> allowed.</summary>
    Int,

    /// <summary>A number with a dot (<c>1.5</c>, <c>1.0e5</c>), or <c>.inf</c>/<c>.nan</c>.</summary>
    Float,

    /// <summary>A date (<c>2001-12-14</c>) or date and time.</summary>
    Timestamp,

    /// <summary>Anything else; a quoted scalar is a string unless tagged.</summary>
    String,

    /// <summary>A plain <c>=</c>: YAML 1.1's value key, which the safe loader resolves but cannot construct.</summary>
    ValueKey,

    /// <summary>A plain <c>&lt;&lt;</c>: a merge key, meaningful only as a mapping key.</summary>
    MergeKey,
}

/// <summary>A scalar as PyYAML constructs it: its kind, its source text and the value Python holds.</summary>
/// <param name="Kind">The resolved or tagged type.</param>
/// <param name="Text">The scalar's text as written (without quotes).</param>
/// <param name="Value">null, a <see cref="bool"/>, a <see cref="BigInteger"/> (Python ints are unbounded), a
/// <see cref="double"/>, or a <see cref="string"/>; a timestamp is held as the string Python's <c>str()</c> gives
/// the <c>date</c>/<c>datetime</c> (<c>2001-12-14 21:59:43.100000-05:00</c>).</param>
public sealed record Yaml11Scalar(Yaml11Kind Kind, string Text, object? Value)
{
    /// <summary>What Python's <c>str()</c> gives the constructed value: <c>True</c>, <c>511</c>, <c>100000.0</c>,
    /// <c>None</c> …, which is how ansible-runner turns env/envvars values into environment strings.</summary>
    public string PythonStr => Value switch
    {
        null => "None",
        bool b => b ? "True" : "False",
        BigInteger i => i.ToString(CultureInfo.InvariantCulture),
        double d => PythonFormat.Float(d),
        string s => s,
        _ => Text,
    };
}

/// <summary>Thrown for YAML that PyYAML's safe loader would refuse; carries the position (1-based, 0 when unknown).</summary>
public sealed class Yaml11Exception(string message, int line = 0, int column = 0) : Exception(message)
{
    /// <summary>The 1-based line of the offending text; 0 when unknown.</summary>
    public int Line { get; } = line;

    /// <summary>The 1-based column of the offending text; 0 when unknown.</summary>
    public int Column { get; } = column;
}

/// <summary>
/// Types and constructs scalars exactly as PyYAML's <c>SafeLoader</c> does (YAML 1.1 implicit resolvers and the
/// <c>construct_yaml_*</c> functions): <c>0777</c> is 511, <c>0x10</c> 16, <c>1_000</c> 1000, <c>1:30</c> 90,
/// <c>1e5</c> a string (the float pattern needs a dot), <c>yes</c>/<c>off</c> booleans, <c>~</c> null.
/// </summary>
public static partial class Yaml11Scalars
{
    /// <summary>The kind PyYAML resolves a plain (unquoted, untagged) scalar to.</summary>
    public static Yaml11Kind Resolve(string plain)
    {
        if (NullRegex().IsMatch(plain))
        {
            return Yaml11Kind.Null;
        }
        if (BoolRegex().IsMatch(plain))
        {
            return Yaml11Kind.Bool;
        }
        if (IntRegex().IsMatch(plain))
        {
            return Yaml11Kind.Int;
        }
        if (FloatRegex().IsMatch(plain))
        {
            return Yaml11Kind.Float;
        }
        if (TimestampRegex().IsMatch(plain))
        {
            return Yaml11Kind.Timestamp;
        }
        return plain switch
        {
            "=" => Yaml11Kind.ValueKey,
            "<<" => Yaml11Kind.MergeKey,
            _ => Yaml11Kind.String,
        };
    }

    /// <summary>Constructs a scalar. <paramref name="plain"/> says it was written unquoted; <paramref name="tag"/> is
    /// its explicit tag in full (<c>tag:yaml.org,2002:str</c>), <c>!</c> for the non-specific tag, or null. PyYAML
    /// resolves a scalar with the non-specific tag as if it were plain, quoted or not (<c>! '12'</c> is 12).</summary>
    /// <exception cref="Yaml11Exception">The safe loader would refuse it: an unknown tag, a value that its tag's
    /// constructor cannot read, or <c>=</c>/<c>&lt;&lt;</c> used as a value.</exception>
    public static Yaml11Scalar Read(string text, bool plain, string? tag = null)
    {
        Yaml11Kind kind;
        if (string.IsNullOrEmpty(tag) || tag == "?")
        {
            kind = plain ? Resolve(text) : Yaml11Kind.String;
        }
        else if (tag == "!")
        {
            kind = Resolve(text);
        }
        else
        {
            kind = tag switch
            {
                "tag:yaml.org,2002:str" => Yaml11Kind.String,
                "tag:yaml.org,2002:null" => Yaml11Kind.Null,
                "tag:yaml.org,2002:bool" => Yaml11Kind.Bool,
                "tag:yaml.org,2002:int" => Yaml11Kind.Int,
                "tag:yaml.org,2002:float" => Yaml11Kind.Float,
                "tag:yaml.org,2002:timestamp" => Yaml11Kind.Timestamp,
                _ => throw new Yaml11Exception($"tag {tag} on '{text}' is not one the safe loader constructs"),
            };
        }
        return kind switch
        {
            Yaml11Kind.Null => new(kind, text, null),
            Yaml11Kind.Bool => new(kind, text, ConstructBool(text)),
            Yaml11Kind.Int => new(kind, text, ConstructInt(text)),
            Yaml11Kind.Float => new(kind, text, ConstructFloat(text)),
            Yaml11Kind.Timestamp => new(kind, text, ConstructTimestamp(text)),
            Yaml11Kind.String => new(kind, text, text),
            Yaml11Kind.ValueKey => throw new Yaml11Exception("'=' is YAML 1.1's value key, which the safe loader cannot read as a value; quote it"),
            _ => throw new Yaml11Exception("'<<' is a merge key, which has no meaning as a value; quote it"),
        };
    }

    private static bool ConstructBool(string text) => text.ToLowerInvariant() switch
    {
        "yes" or "true" or "on" => true,
        "no" or "false" or "off" => false,
        _ => throw Invalid(text, "bool"),
    };

    // construct_yaml_int: drop '_', then 0 / 0b… / 0x… / 0… (octal) / a:b:c (base 60) / decimal.
    private static BigInteger ConstructInt(string text)
    {
        var v = text.Replace("_", "", StringComparison.Ordinal);
        var sign = BigInteger.One;
        if (v.StartsWith('-'))
        {
            sign = BigInteger.MinusOne;
        }
        if (v.StartsWith('-') || v.StartsWith('+'))
        {
            v = v[1..];
        }
        BigInteger? value = v switch
        {
            "0" => BigInteger.Zero,
            _ when v.StartsWith("0b", StringComparison.Ordinal) => Digits(v[2..], 2),
            _ when v.StartsWith("0x", StringComparison.Ordinal) => Digits(v[2..], 16),
            _ when v.StartsWith('0') => Digits(v, 8),
            _ when v.Contains(':', StringComparison.Ordinal) => Sexagesimal(v),
            _ => Digits(v, 10),
        };
        return value is { } n ? sign * n : throw Invalid(text, "int");
    }

    private static BigInteger? Digits(string digits, int radix)
    {
        if (digits.Length == 0)
        {
            return null;
        }
        var n = BigInteger.Zero;
        foreach (var c in digits)
        {
            var d = c switch
            {
                >= '0' and <= '9' => c - '0',
                >= 'a' and <= 'f' => c - 'a' + 10,
                >= 'A' and <= 'F' => c - 'A' + 10,
                _ => int.MaxValue,
            };
            if (d >= radix)
            {
                return null;
            }
            n = n * radix + d;
        }
        return n;
    }

    private static BigInteger? Sexagesimal(string v)
    {
        var n = BigInteger.Zero;
        foreach (var part in v.Split(':'))
        {
            if (Digits(part, 10) is not { } d)
            {
                return null;
            }
            n = n * 60 + d;
        }
        return n;
    }

    // construct_yaml_float: drop '_', lower-case, then .inf / .nan / a:b.c (base 60) / Python's float().
    private static double ConstructFloat(string text)
    {
        var v = text.Replace("_", "", StringComparison.Ordinal).ToLowerInvariant();
        var sign = 1.0;
        if (v.StartsWith('-'))
        {
            sign = -1.0;
        }
        if (v.StartsWith('-') || v.StartsWith('+'))
        {
            v = v[1..];
        }
        if (v == ".inf")
        {
            return sign * double.PositiveInfinity;
        }
        if (v == ".nan")
        {
            return double.NaN;
        }
        if (v.Contains(':', StringComparison.Ordinal))
        {
            var total = 0.0;
            foreach (var part in v.Split(':'))
            {
                total = total * 60 + (PythonFloat(part) ?? throw Invalid(text, "float"));
            }
            return sign * total;
        }
        return sign * (PythonFloat(v) ?? throw Invalid(text, "float"));
    }

    // What Python's float() accepts once signs are handled: digits with an optional point and exponent, inf, nan.
    private static double? PythonFloat(string v) => v switch
    {
        "inf" or "infinity" => double.PositiveInfinity,
        "nan" => double.NaN,
        _ when v.Length > 0 && (char.IsAsciiDigit(v[0]) || v[0] == '.') && double.TryParse(v,
            NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out var d) => d,
        _ => null,
    };

    // construct_yaml_timestamp: a date, or a datetime (fraction cut to microseconds; a zone makes it aware).
    private static string ConstructTimestamp(string text)
    {
        var m = TimestampPartsRegex().Match(text);
        if (!m.Success)
        {
            throw Invalid(text, "timestamp");
        }
        int Part(string name) => int.Parse(m.Groups[name].Value, CultureInfo.InvariantCulture);
        var (year, month, day) = (Part("year"), Part("month"), Part("day"));
        if (month is < 1 or > 12 || day < 1 || year < 1 || day > DateTime.DaysInMonth(year, month))
        {
            throw Invalid(text, "timestamp");
        }
        var date = FormattableString.Invariant($"{year:D4}-{month:D2}-{day:D2}");
        if (!m.Groups["hour"].Success)
        {
            return date;
        }
        var (hour, minute, second) = (Part("hour"), Part("minute"), Part("second"));
        if (hour > 23 || minute > 59 || second > 59)
        {
            throw Invalid(text, "timestamp");
        }
        var micro = 0;
        if (m.Groups["fraction"].Value is { Length: > 0 } fraction)
        {
            micro = int.Parse(fraction.Length > 6 ? fraction[..6] : fraction.PadRight(6, '0'), CultureInfo.InvariantCulture);
        }
        var s = FormattableString.Invariant($"{date} {hour:D2}:{minute:D2}:{second:D2}");
        if (micro != 0)
        {
            s += FormattableString.Invariant($".{micro:D6}");
        }
        if (m.Groups["tzsign"].Success)
        {
            var (tzHour, tzMinute) = (Part("tzhour"), m.Groups["tzminute"].Success ? Part("tzminute") : 0);
            if (tzHour * 60 + tzMinute >= 24 * 60)
            {
                throw Invalid(text, "timestamp");
            }
            var sign = m.Groups["tzsign"].Value == "-" && tzHour + tzMinute > 0 ? "-" : "+";
            s += FormattableString.Invariant($"{sign}{tzHour:D2}:{tzMinute:D2}");
        }
        else if (m.Groups["tz"].Success)
        {
            s += "+00:00";
        }
        return s;
    }

    private static Yaml11Exception Invalid(string text, string type) => new($"'{text}' is not a valid {type}");

    // PyYAML's implicit resolvers (resolver.py), anchored; Python's $ would also allow a final newline, which a
    // plain scalar never has.
    [GeneratedRegex(@"^(?:~|null|Null|NULL|)\z")]
    private static partial Regex NullRegex();

    [GeneratedRegex(@"^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)\z")]
    private static partial Regex BoolRegex();

    [GeneratedRegex(@"^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)\z")]
    private static partial Regex IntRegex();

    [GeneratedRegex(@"^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))\z")]
    private static partial Regex FloatRegex();

    [GeneratedRegex(@"^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)\z")]
    private static partial Regex TimestampRegex();

    // SafeConstructor.timestamp_regexp.
    [GeneratedRegex(@"^(?<year>[0-9][0-9][0-9][0-9])-(?<month>[0-9][0-9]?)-(?<day>[0-9][0-9]?)(?:(?:[Tt]|[ \t]+)(?<hour>[0-9][0-9]?):(?<minute>[0-9][0-9]):(?<second>[0-9][0-9])(?:\.(?<fraction>[0-9]*))?(?:[ \t]*(?<tz>Z|(?<tzsign>[-+])(?<tzhour>[0-9][0-9]?)(?::(?<tzminute>[0-9][0-9]))?))?)?\z")]
    private static partial Regex TimestampPartsRegex();
}

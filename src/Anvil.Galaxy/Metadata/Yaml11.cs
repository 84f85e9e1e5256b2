using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Anvil.Galaxy.Metadata;

/// <summary>What a YAML scalar is to ansible-galaxy, which reads YAML 1.1 with PyYAML: <c>1.0</c> is a number,
/// <c>yes</c> a boolean, <c>2024-01-01</c> a date, and only the rest (or anything quoted) a string.</summary>
public enum YamlScalarKind
{
    Null,
    Bool,
    Int,
    Float,
    Timestamp,
    String,
}

/// <summary>A node of a YAML document with the line it starts on (1-based).</summary>
public abstract record YamlValue(int Line);

public sealed record YamlScalar(string Text, YamlScalarKind Kind, int Line) : YamlValue(Line)
{
    public bool IsNull => Kind == YamlScalarKind.Null;

    /// <summary>How the value reads in a message (quoted when it is a string).</summary>
    public string Display => Kind == YamlScalarKind.String ? $"'{Text}'" : Text.Length == 0 ? "null" : Text;
}

public sealed record YamlSequence(IReadOnlyList<YamlValue> Items, int Line) : YamlValue(Line);

public sealed record YamlMapping(IReadOnlyList<KeyValuePair<YamlScalar, YamlValue>> Entries, int Line) : YamlValue(Line)
{
    public YamlValue? this[string key] => Entries.LastOrDefault(e => e.Key.Text == key).Value;

    public bool Contains(string key) => Entries.Any(e => e.Key.Text == key);
}

/// <summary>Thrown for text that is not YAML; carries the line.</summary>
public sealed class YamlSyntaxException(string message, int line) : Exception(message)
{
    public int Line { get; } = line;
}

/// <summary>Reads YAML into <see cref="YamlValue"/> nodes, typing plain scalars by PyYAML's YAML 1.1 rules so that
/// Anvil sees the same types ansible-galaxy sees.</summary>
public static partial class Yaml11
{
    /// <summary>The first document, or null for an empty file.</summary>
    public static YamlValue? Load(string text)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            var message = (e.InnerException?.Message ?? e.Message).Trim();
            throw new YamlSyntaxException($"not valid YAML ({message})", (int)e.Start.Line);
        }
        catch (ArgumentException e)
        {
            // YamlDotNet reports a key given twice this way.
            throw new YamlSyntaxException($"not valid YAML ({e.Message.Trim()})", 0);
        }
        return stream.Documents.Count == 0 ? null : Convert(stream.Documents[0].RootNode);
    }

    private static YamlValue Convert(YamlNode node)
    {
        var line = (int)node.Start.Line;
        switch (node)
        {
            case YamlScalarNode s:
                return Scalar(s);
            case YamlSequenceNode seq:
                return new YamlSequence(seq.Children.Select(Convert).ToList(), line);
            case YamlMappingNode map:
                var entries = new List<KeyValuePair<YamlScalar, YamlValue>>();
                foreach (var (k, v) in map.Children)
                {
                    var key = k as YamlScalarNode
                              ?? throw new YamlSyntaxException("a mapping key is not a plain value", (int)k.Start.Line);
                    entries.Add(new(Scalar(key), Convert(v)));
                }
                return new YamlMapping(entries, line);
            default:
                throw new YamlSyntaxException("unsupported YAML node", line);
        }
    }

    private static YamlScalar Scalar(YamlScalarNode s)
    {
        var text = s.Value ?? "";
        var line = (int)s.Start.Line;
        var tag = s.Tag.IsEmpty ? null : s.Tag.Value;
        YamlScalarKind kind;
        if (tag is not null && tag != "!")
        {
            kind = tag switch
            {
                "tag:yaml.org,2002:null" => YamlScalarKind.Null,
                "tag:yaml.org,2002:bool" => YamlScalarKind.Bool,
                "tag:yaml.org,2002:int" => YamlScalarKind.Int,
                "tag:yaml.org,2002:float" => YamlScalarKind.Float,
                "tag:yaml.org,2002:timestamp" => YamlScalarKind.Timestamp,
                _ => YamlScalarKind.String,
            };
        }
        else
        {
            kind = s.Style == ScalarStyle.Plain ? Resolve(text) : YamlScalarKind.String;
        }
        return new YamlScalar(text, kind, line);
    }

    /// <summary>The type PyYAML gives a plain (unquoted) scalar.</summary>
    public static YamlScalarKind Resolve(string plain)
    {
        if (NullRegex().IsMatch(plain))
        {
            return YamlScalarKind.Null;
        }
        if (BoolRegex().IsMatch(plain))
        {
            return YamlScalarKind.Bool;
        }
        if (IntRegex().IsMatch(plain))
        {
            return YamlScalarKind.Int;
        }
        if (FloatRegex().IsMatch(plain))
        {
            return YamlScalarKind.Float;
        }
        return TimestampRegex().IsMatch(plain) ? YamlScalarKind.Timestamp : YamlScalarKind.String;
    }

    /// <summary>A string as a YAML scalar that reads back as the same string: plain when safe, else single-quoted.</summary>
    public static string Quote(string value)
    {
        var plainSafe = value.Length > 0 && Resolve(value) == YamlScalarKind.String && PlainSafeRegex().IsMatch(value) &&
                        !value.EndsWith(' ') && !value.Contains(": ", StringComparison.Ordinal) &&
                        !value.Contains(" #", StringComparison.Ordinal);
        return plainSafe ? value : "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";
    }

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

    // Characters that may start and fill a plain scalar without YAML giving them a meaning.
    [GeneratedRegex(@"^[A-Za-z0-9_./(][A-Za-z0-9_./()<>@+=, :-]*\z")]
    private static partial Regex PlainSafeRegex();
}

using System.Text.RegularExpressions;
using Anvil.Yaml;

namespace Anvil.Galaxy.Metadata;

/// <summary>What a YAML scalar is to ansible-galaxy, which reads YAML 1.1 with PyYAML: <c>1.0</c> is a number,
/// <c>yes</c> a boolean, <c>2024-01-01</c> a date, and only the rest (or anything quoted) a string.</summary>
public enum YamlScalarKind
{
    /// <summary><c>~</c>, <c>null</c> or nothing.</summary>
    Null,
    /// <summary>YAML 1.1 booleans (<c>yes</c>, <c>off</c> … included).</summary>
    Bool,
    /// <summary>An integer in any YAML 1.1 notation.</summary>
    Int,
    /// <summary>A floating-point number.</summary>
    Float,
    /// <summary>A date or date and time.</summary>
    Timestamp,
    /// <summary>Anything else, and every quoted scalar.</summary>
    String,
}

/// <summary>A node of a YAML document with the line it starts on (1-based).</summary>
public abstract record YamlValue(int Line);

/// <summary>A scalar with the type YAML 1.1 resolves it to.</summary>
/// <param name="Text">The scalar's value as text.</param>
/// <param name="Kind">Its resolved type.</param>
/// <param name="Line">1-based line where it starts.</param>
public sealed record YamlScalar(string Text, YamlScalarKind Kind, int Line) : YamlValue(Line)
{
    /// <summary>The scalar is a YAML null.</summary>
    public bool IsNull => Kind == YamlScalarKind.Null;

    /// <summary>How the value reads in a message (quoted when it is a string).</summary>
    public string Display => Kind == YamlScalarKind.String ? $"'{Text}'" : Text.Length == 0 ? "null" : Text;
}

/// <summary>A block or flow sequence.</summary>
/// <param name="Items">The items in order.</param>
/// <param name="Line">1-based line where it starts.</param>
public sealed record YamlSequence(IReadOnlyList<YamlValue> Items, int Line) : YamlValue(Line);

/// <summary>A block or flow mapping.</summary>
/// <param name="Entries">The entries in file order (duplicate keys kept).</param>
/// <param name="Line">1-based line where it starts.</param>
public sealed record YamlMapping(IReadOnlyList<KeyValuePair<YamlScalar, YamlValue>> Entries, int Line) : YamlValue(Line)
{
    /// <summary>The value of <paramref name="key"/> (the last one when repeated, as PyYAML does), or null.</summary>
    public YamlValue? this[string key] => Entries.LastOrDefault(e => e.Key.Text == key).Value;

    /// <summary>The mapping has <paramref name="key"/>.</summary>
    public bool Contains(string key) => Entries.Any(e => e.Key.Text == key);
}

/// <summary>Thrown for text that is not YAML; carries the line.</summary>
public sealed class YamlSyntaxException(string message, int line) : Exception(message)
{
    /// <summary>1-based line of the error.</summary>
    public int Line { get; } = line;
}

/// <summary>Reads YAML into <see cref="YamlValue"/> nodes with Anvil.Yaml's reader, which types plain scalars by
/// PyYAML's YAML 1.1 rules, so that Anvil sees the same types ansible-galaxy sees (and the same as the runner's env
/// files).</summary>
public static partial class Yaml11
{
    /// <summary>The first document, or null for an empty file.</summary>
    public static YamlValue? Load(string text)
    {
        Yaml11Node? root;
        try
        {
            root = Yaml11Document.Load(text);
        }
        catch (Yaml11Exception e)
        {
            throw new YamlSyntaxException($"not valid YAML ({e.Message})", e.Line);
        }
        return root is null ? null : Convert(root);
    }

    private static YamlValue Convert(Yaml11Node node) => node switch
    {
        Yaml11ScalarNode s => Scalar(s),
        Yaml11SequenceNode seq => new YamlSequence(seq.Items.Select(Convert).ToList(), seq.Line),
        Yaml11MappingNode map => new YamlMapping(
            map.Entries.Select(e => new KeyValuePair<YamlScalar, YamlValue>(Scalar(e.Key), Convert(e.Value))).ToList(),
            map.Line),
        _ => throw new YamlSyntaxException("unsupported YAML node", node.Line),
    };

    private static YamlScalar Scalar(Yaml11ScalarNode s) => new(s.Scalar.Text, Kind(s.Scalar.Kind), s.Line);

    private static YamlScalarKind Kind(Yaml11Kind kind) => kind switch
    {
        Yaml11Kind.Null => YamlScalarKind.Null,
        Yaml11Kind.Bool => YamlScalarKind.Bool,
        Yaml11Kind.Int => YamlScalarKind.Int,
        Yaml11Kind.Float => YamlScalarKind.Float,
        Yaml11Kind.Timestamp => YamlScalarKind.Timestamp,
        // '=' and '<<' are refused by the reader as values; as text to quote they are just not plain-safe strings.
        _ => YamlScalarKind.String,
    };

    /// <summary>The type PyYAML gives a plain (unquoted) scalar.</summary>
    public static YamlScalarKind Resolve(string plain) => Kind(Yaml11Scalars.Resolve(plain));

    /// <summary>A string as a YAML scalar that reads back as the same string: plain when safe, else single-quoted.</summary>
    public static string Quote(string value)
    {
        var plainSafe = value.Length > 0 && Resolve(value) == YamlScalarKind.String && PlainSafeRegex().IsMatch(value) &&
                        !value.EndsWith(' ') && !value.Contains(": ", StringComparison.Ordinal) &&
                        !value.Contains(" #", StringComparison.Ordinal);
        return plainSafe ? value : "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";
    }

    // Characters that may start and fill a plain scalar without YAML giving them a meaning.
    [GeneratedRegex(@"^[A-Za-z0-9_./(][A-Za-z0-9_./()<>@+=, :-]*\z")]
    private static partial Regex PlainSafeRegex();
}

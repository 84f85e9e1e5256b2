using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;

namespace Anvil.Galaxy;

/// <summary>A collection's fully qualified name, <c>namespace.name</c>.</summary>
public readonly partial record struct CollectionName(string Namespace, string Name) : IComparable<CollectionName>
{
    /// <summary><c>namespace.name</c>, the fully qualified collection name.</summary>
    public override string ToString() => $"{Namespace}.{Name}";

    /// <summary>Ordinal order of the <c>namespace.name</c> text.</summary>
    public int CompareTo(CollectionName other) => string.CompareOrdinal(ToString(), other.ToString());

    /// <summary>
    /// Parses <c>ns.name</c> as ansible-galaxy accepts it on the command line and in requirements: exactly one dot,
    /// each part a Python identifier that is not a keyword (upper case allowed).
    /// </summary>
    public static bool TryParse([NotNullWhen(true)] string? text, out CollectionName name)
    {
        name = default;
        if (text is null || text.Count(c => c == '.') != 1)
        {
            return false;
        }
        var dot = text.IndexOf('.');
        var (ns, n) = (text[..dot], text[(dot + 1)..]);
        if (!IsIdentifier(ns) || !IsIdentifier(n))
        {
            return false;
        }
        name = new CollectionName(ns, n);
        return true;
    }

    /// <summary>Parses <c>namespace.name</c>; throws <see cref="FormatException"/> when <paramref name="text"/> is not a valid name.</summary>
    public static CollectionName Parse(string text) => TryParse(text, out var name)
        ? name
        : throw new FormatException($"'{text}' is not a collection name (namespace.name, letters, digits and _)");

    private static readonly HashSet<string> PythonKeywords =
    [
        "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue", "def", "del",
        "elif", "else", "except", "finally", "for", "from", "global", "if", "import", "in", "is", "lambda",
        "nonlocal", "not", "or", "pass", "raise", "return", "try", "while", "with", "yield",
    ];

    private static bool IsIdentifier(string s) => IdentifierRegex().IsMatch(s) && !PythonKeywords.Contains(s);

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]*\z")]
    private static partial Regex IdentifierRegex();

    /// <summary>
    /// The stricter rule Galaxy servers apply to namespaces, names and tags: lower-case letters, digits and
    /// <c>_</c>, starting with a letter, no <c>__</c>, at most 64 characters. Returns why not, or null.
    /// </summary>
    public static string? GalaxyRuleViolation(string value)
    {
        if (value.Length == 0)
        {
            return "is empty";
        }
        if (value.Length > 64)
        {
            return "is longer than 64 characters";
        }
        if (!StrictRegex().IsMatch(value))
        {
            return value.Contains("__", StringComparison.Ordinal)
                ? "contains '__'"
                : "must be lower-case letters, digits and _, starting with a letter";
        }
        return null;
    }

    [GeneratedRegex(@"^(?!.*__)[a-z][0-9a-z_]*\z")]
    private static partial Regex StrictRegex();
}

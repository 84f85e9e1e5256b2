using System.Diagnostics.CodeAnalysis;

namespace Anvil.Galaxy.Versioning;

/// <summary>
/// A version requirement as ansible-galaxy reads it: comma-separated clauses that must all hold, each an operator
/// (<c>==</c>, <c>=</c>, <c>!=</c>, <c>&gt;</c>, <c>&gt;=</c>, <c>&lt;</c>, <c>&lt;=</c>; none means <c>==</c>) and a
/// version, or <c>*</c> for any. The version in a clause may be short (<c>&gt;=1.2</c> is <c>&gt;=1.2.0</c>); spaces,
/// <c>~</c> and <c>^</c> are not allowed, as in ansible-galaxy.
/// </summary>
public sealed class VersionRange
{
    private enum Op
    {
        Eq,
        Ne,
        Gt,
        Ge,
        Lt,
        Le,
    }

    private readonly record struct Clause(Op Op, SemVersion? Target);

    private readonly Clause[] _clauses;

    private VersionRange(string text, Clause[] clauses)
    {
        Text = text;
        _clauses = clauses;
    }

    /// <summary><c>*</c>: any version.</summary>
    public static VersionRange Any { get; } = new("*", []);

    /// <summary>The requirement as written.</summary>
    public string Text { get; }

    /// <summary>The range accepts every version (<c>*</c> or no clause with a version).</summary>
    public bool IsAny => _clauses.All(c => c.Target is null);

    /// <summary>
    /// ansible-galaxy considers a pre-release candidate for a requirement only when <c>--pre</c> is given, the user
    /// asked for that candidate, or the requirement is a pin: not <c>*</c> and not starting with <c>&lt;</c>,
    /// <c>&gt;</c> or <c>!=</c> (so <c>==2.0.0-beta.1</c>, or <c>2.0.0-beta.1</c>).
    /// </summary>
    public bool AllowsPrereleases =>
        !(Text == "*" || Text.StartsWith('<') || Text.StartsWith('>') || Text.StartsWith("!=", StringComparison.Ordinal));

    /// <summary>The range as written.</summary>
    public override string ToString() => Text;

    /// <summary>Parses a range; throws <see cref="FormatException"/> with the reason when it is not valid.</summary>
    public static VersionRange Parse(string text) =>
        TryParse(text, out var range, out var error) ? range : throw new FormatException(error);

    /// <summary>Parses a range (ansible-galaxy syntax: <c>*</c>, a version, or comma-separated <c>==</c>, <c>!=</c>, <c>&gt;=</c>, <c>&gt;</c>, <c>&lt;=</c>, <c>&lt;</c> clauses); on failure <paramref name="error"/> says why.</summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out VersionRange? range, [NotNullWhen(false)] out string? error)
    {
        range = null;
        if (text is null)
        {
            error = "no version range";
            return false;
        }
        if (text == "*")
        {
            range = Any;
            error = null;
            return true;
        }
        var clauses = new List<Clause>();
        foreach (var part in text.Split(','))
        {
            if (!TryParseClause(part, out var clause, out var why))
            {
                error = part.Length == 0
                    ? $"'{text}' has an empty clause"
                    : $"'{part}' in '{text}' is not a version requirement ({why}; write e.g. >=1.0.0,<2.0.0 without spaces)";
                return false;
            }
            clauses.Add(clause);
        }
        range = new VersionRange(text, clauses.ToArray());
        error = null;
        return true;
    }

    private static bool TryParseClause(string part, out Clause clause, [NotNullWhen(false)] out string? why)
    {
        clause = default;
        why = null;
        // The operator is two characters when the second one is '=', else one (as ansible-galaxy splits it).
        var opLength = part.Length > 1 && part[1] == '=' ? 2 : 1;
        Op? op = part.Length == 0 ? null : part[..Math.Min(opLength, part.Length)] switch
        {
            "==" or "=" => Op.Eq,
            "!=" => Op.Ne,
            ">=" => Op.Ge,
            ">" => Op.Gt,
            "<=" => Op.Le,
            "<" => Op.Lt,
            _ => null,
        };
        var version = op is null ? part : part[opLength..];
        if (version == "*")
        {
            clause = new Clause(op ?? Op.Eq, null);
            return true;
        }
        var target = SemVersion.FromLoose(version, out var error);
        if (target is null)
        {
            why = error ?? "not a version";
            return false;
        }
        clause = new Clause(op ?? Op.Eq, target);
        return true;
    }

    /// <summary>Whether <paramref name="version"/> meets every clause; a version of <c>*</c> (a source tree
    /// without one) meets any requirement.</summary>
    public bool IsSatisfiedBy(string version) =>
        version == "*" || (SemVersion.TryParse(version, out var v) && IsSatisfiedBy(v));

    /// <summary>Every clause accepts <paramref name="version"/>.</summary>
    public bool IsSatisfiedBy(SemVersion version)
    {
        foreach (var (op, target) in _clauses)
        {
            if (target is null)
            {
                continue;
            }
            var c = version.CompareTo(target);
            var ok = op switch
            {
                Op.Eq => c == 0,
                Op.Ne => c != 0,
                Op.Gt => c > 0,
                Op.Ge => c >= 0,
                Op.Lt => c < 0,
                _ => c <= 0,
            };
            if (!ok)
            {
                return false;
            }
        }
        return true;
    }
}

using System.Diagnostics.CodeAnalysis;

namespace Anvil.Galaxy.Versioning;

/// <summary>
/// A Semantic Versioning 2.0.0 version, ordered as ansible-core's <c>SemanticVersion</c>: by major, minor, patch,
/// then a pre-release sorts before its release and pre-release identifiers compare one by one (numeric below
/// alphanumeric); build metadata never counts. <see cref="Text"/> keeps the string as written.
/// </summary>
public sealed class SemVersion : IComparable<SemVersion>, IEquatable<SemVersion>
{
    private SemVersion(string text, ulong major, ulong minor, ulong patch, string[] prerelease, string build)
    {
        Text = text;
        Major = major;
        Minor = minor;
        Patch = patch;
        Prerelease = prerelease;
        Build = build;
    }

    /// <summary>The version as written (build metadata included).</summary>
    public string Text { get; }

    /// <summary>The MAJOR number.</summary>
    public ulong Major { get; }

    /// <summary>The MINOR number.</summary>
    public ulong Minor { get; }

    /// <summary>The PATCH number.</summary>
    public ulong Patch { get; }

    /// <summary>The dot-separated pre-release identifiers; empty for a release.</summary>
    public IReadOnlyList<string> Prerelease { get; }

    /// <summary>Build metadata after <c>+</c>, or "".</summary>
    public string Build { get; }

    /// <summary>The version has pre-release identifiers.</summary>
    public bool IsPrerelease => Prerelease.Count > 0;

    /// <summary>The version as written.</summary>
    public override string ToString() => Text;

    /// <summary>Parses a strict semantic version (no leading <c>v</c>, no spaces, three numeric parts).</summary>
    public static SemVersion Parse(string text) =>
        TryParse(text, out var v) ? v : throw new FormatException($"'{text}' is not a semantic version (MAJOR.MINOR.PATCH)");

    /// <summary>Parses <c>MAJOR.MINOR.PATCH[-pre][+build]</c> (SemVer 2.0); false when <paramref name="text"/> is not one.</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, [NotNullWhen(true)] out SemVersion? version)
    {
        version = null;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }
        var span = text.AsSpan();
        var plus = span.IndexOf('+');
        var build = "";
        if (plus >= 0)
        {
            build = text[(plus + 1)..];
            if (!Identifiers(build, numericRule: false))
            {
                return false;
            }
            span = span[..plus];
        }
        var dash = span.IndexOf('-');
        string[] pre = [];
        if (dash >= 0)
        {
            var preText = span[(dash + 1)..].ToString();
            if (!Identifiers(preText, numericRule: true))
            {
                return false;
            }
            pre = preText.Split('.');
            span = span[..dash];
        }
        Span<Range> parts = stackalloc Range[4];
        if (span.Split(parts, '.') != 3)
        {
            return false;
        }
        if (!Number(span[parts[0]], out var major) || !Number(span[parts[1]], out var minor) ||
            !Number(span[parts[2]], out var patch))
        {
            return false;
        }
        version = new SemVersion(text, major, minor, patch, pre, build);
        return true;
    }

    // A numeric part: digits, no leading zero unless it is "0".
    private static bool Number(ReadOnlySpan<char> s, out ulong value)
    {
        value = 0;
        if (s.IsEmpty || (s.Length > 1 && s[0] == '0'))
        {
            return false;
        }
        foreach (var c in s)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }
        }
        return ulong.TryParse(s, System.Globalization.NumberStyles.None, null, out value);
    }

    // Dot-separated identifiers of [0-9A-Za-z-]; for pre-releases a purely numeric one may not have a leading zero.
    private static bool Identifiers(string s, bool numericRule)
    {
        if (s.Length == 0)
        {
            return false;
        }
        foreach (var id in s.Split('.'))
        {
            if (id.Length == 0)
            {
                return false;
            }
            var numeric = true;
            foreach (var c in id)
            {
                if (c is >= '0' and <= '9')
                {
                    continue;
                }
                numeric = false;
                if (!(c is >= 'a' and <= 'z' or >= 'A' and <= 'Z' or '-'))
                {
                    return false;
                }
            }
            if (numericRule && numeric && id.Length > 1 && id[0] == '0')
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>
    /// ansible-core's reading of a version written in a requirement (<c>SemanticVersion.from_loose_version</c>):
    /// split like distutils' LooseVersion, take up to three leading numbers (fewer are padded with zeros:
    /// <c>1.2</c> is <c>1.2.0</c>, <c>&gt;1</c> means <c>&gt;1.0.0</c>), keep anything from the first <c>-</c> or
    /// <c>+</c> as the pre-release or build. Returns null with the reason when ansible-core would raise.
    /// </summary>
    public static SemVersion? FromLoose(string text, out string? error)
    {
        error = null;
        if (text.Length == 0)
        {
            error = "an empty version";
            return null;
        }
        // LooseVersion's components: runs of digits (as numbers), runs of a-z, and whatever lies between them;
        // dots separate and are dropped.
        var components = new List<(bool IsNumber, string Text)>();
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            var start = i;
            if (c is >= '0' and <= '9')
            {
                while (i < text.Length && text[i] is >= '0' and <= '9')
                {
                    i++;
                }
                components.Add((true, text[start..i]));
            }
            else if (c is >= 'a' and <= 'z')
            {
                while (i < text.Length && text[i] is >= 'a' and <= 'z')
                {
                    i++;
                }
                components.Add((false, text[start..i]));
            }
            else if (c == '.')
            {
                i++;
            }
            else
            {
                while (i < text.Length && text[i] is not ((>= '0' and <= '9') or (>= 'a' and <= 'z') or '.'))
                {
                    i++;
                }
                components.Add((false, text[start..i]));
            }
        }
        var take = 3;
        foreach (var marker in new[] { "-", "+" })
        {
            var at = components.FindIndex(x => !x.IsNumber && x.Text == marker);
            if (at >= 0 && at < take)
            {
                take = at;
            }
        }
        var core = components.Take(take).ToList();
        if (core.Any(x => !x.IsNumber))
        {
            error = $"non-numeric parts in '{text}'";
            return null;
        }
        var numbers = core.Select(x => x.Text.TrimStart('0') is { Length: > 0 } t ? t : "0").ToList();
        while (numbers.Count < 3)
        {
            numbers.Add("0");
        }
        var extraAt = text.IndexOfAny(['-', '+']);
        var extra = extraAt >= 0 && extraAt < text.Length - 1 ? text[extraAt..] : "";
        var candidate = string.Join('.', numbers) + extra;
        if (!TryParse(candidate, out var parsed))
        {
            error = $"'{text}' is not a semantic version";
            return null;
        }
        return parsed;
    }

    /// <summary>SemVer precedence: build metadata ignored, a pre-release before its release; null sorts first.</summary>
    public int CompareTo(SemVersion? other)
    {
        if (other is null)
        {
            return 1;
        }
        var c = Major.CompareTo(other.Major);
        if (c == 0)
        {
            c = Minor.CompareTo(other.Minor);
        }
        if (c == 0)
        {
            c = Patch.CompareTo(other.Patch);
        }
        if (c != 0)
        {
            return c;
        }
        // A release sorts after its pre-releases.
        if (Prerelease.Count == 0 || other.Prerelease.Count == 0)
        {
            return Prerelease.Count == other.Prerelease.Count ? 0 : Prerelease.Count == 0 ? 1 : -1;
        }
        for (var k = 0; k < Math.Min(Prerelease.Count, other.Prerelease.Count); k++)
        {
            c = CompareIdentifier(Prerelease[k], other.Prerelease[k]);
            if (c != 0)
            {
                return c;
            }
        }
        return Prerelease.Count.CompareTo(other.Prerelease.Count);
    }

    private static int CompareIdentifier(string a, string b)
    {
        var an = a.All(char.IsAsciiDigit);
        var bn = b.All(char.IsAsciiDigit);
        if (an && bn)
        {
            // Numeric identifiers have no leading zeros, so the longer is the larger.
            return a.Length != b.Length ? a.Length.CompareTo(b.Length) : string.CompareOrdinal(a, b);
        }
        if (an != bn)
        {
            return an ? -1 : 1;
        }
        return Math.Sign(string.CompareOrdinal(a, b));
    }

    /// <summary>Equal in precedence (build metadata ignored), as ansible-core compares versions.</summary>
    public bool Equals(SemVersion? other) => other is not null && CompareTo(other) == 0;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is SemVersion v && Equals(v);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Major, Minor, Patch, string.Join('.', Prerelease));

    /// <summary>Lower precedence.</summary>
    public static bool operator <(SemVersion a, SemVersion b) => a.CompareTo(b) < 0;

    /// <summary>Higher precedence.</summary>
    public static bool operator >(SemVersion a, SemVersion b) => a.CompareTo(b) > 0;

    /// <summary>Lower or equal precedence.</summary>
    public static bool operator <=(SemVersion a, SemVersion b) => a.CompareTo(b) <= 0;

    /// <summary>Higher or equal precedence.</summary>
    public static bool operator >=(SemVersion a, SemVersion b) => a.CompareTo(b) >= 0;
}

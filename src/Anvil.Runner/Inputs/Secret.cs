namespace Anvil.Runner.Inputs;

/// <summary>A secret (a password, a private key): it prints as <c>&lt;redacted&gt;</c>, so it cannot reach a log,
/// an exception message or a record's <c>ToString()</c> by accident. <see cref="Reveal"/> gives the value.</summary>
public sealed class Secret(string value) : IEquatable<Secret>
{
    /// <summary>The secret value, for the one place that must hand it on.</summary>
    public string Reveal() => value;

    /// <summary>Always <c>&lt;redacted&gt;</c>.</summary>
    public override string ToString() => "<redacted>";

    /// <summary>Wraps a plain string.</summary>
    public static implicit operator Secret(string value) => new(value);

    /// <inheritdoc/>
    public bool Equals(Secret? other) => other is not null && string.Equals(value, other.Reveal(), StringComparison.Ordinal);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as Secret);

    /// <inheritdoc/>
    public override int GetHashCode() => value.GetHashCode(StringComparison.Ordinal);
}

/// <summary>One entry of <c>env/passwords</c>: when text matching <see cref="Pattern"/> (a regular expression,
/// multiline) appears in the job's output, <see cref="Response"/> and a newline are typed on its terminal.</summary>
public sealed record PasswordPrompt(string Pattern, Secret Response);

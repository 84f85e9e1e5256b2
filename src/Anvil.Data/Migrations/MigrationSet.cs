using System.Globalization;
using System.Reflection;

namespace Anvil.Data.Migrations;

/// <summary>One schema change of one part: <c>NNNN_name.&lt;dialect&gt;.sql</c>.</summary>
/// <param name="Version">NNNN: unique across all parts, since every part shares <c>schema_migrations</c>.</param>
/// <param name="Name">The file name without the dialect and extension, as recorded.</param>
/// <param name="Sql">The script for one dialect.</param>
/// <param name="Part">The part it belongs to, for messages.</param>
public sealed record Migration(int Version, string Name, string Sql, string Part);

/// <summary>
/// The migrations one part of Anvil brings for its own tables, embedded in its assembly as
/// <c>migrations/NNNN_name.sqlite.sql</c> and <c>migrations/NNNN_name.postgres.sql</c> (each part's csproj gives
/// them that logical name). A composition root opens <see cref="AnvilDatabase"/> with the sets of the parts it uses.
/// </summary>
public sealed class MigrationSet
{
    private const string Prefix = "migrations/";

    // Read once per dialect: the embedded scripts never change, and every open of a database asks for them.
    private readonly Lazy<IReadOnlyList<Migration>> _sqlite;
    private readonly Lazy<IReadOnlyList<Migration>> _postgres;

    private MigrationSet(string part, Func<SqlDialect, IReadOnlyList<Migration>> migrations)
    {
        Part = part;
        _sqlite = new(() => migrations(SqlDialect.Sqlite));
        _postgres = new(() => migrations(SqlDialect.Postgres));
    }

    /// <summary>The part's name (its assembly's, such as <c>Anvil.Records</c>).</summary>
    public string Part { get; }

    /// <summary>The migrations embedded in <paramref name="assembly"/>.</summary>
    public static MigrationSet FromAssembly(Assembly assembly)
    {
        var part = assembly.GetName().Name ?? "?";
        return new(part, dialect => Read(assembly, part, dialect));
    }

    /// <summary>A set of given scripts, the same for every dialect (tests).</summary>
    internal static MigrationSet Of(string part, params (int Version, string Name, string Sql)[] migrations) =>
        new(part, _ => migrations.Select(m => new Migration(m.Version, m.Name, m.Sql, part)).OrderBy(m => m.Version).ToList());

    /// <summary>Anvil.Data's own: the users and their API tokens, which every other part refers to.</summary>
    public static MigrationSet Data { get; } = FromAssembly(typeof(MigrationSet).Assembly);

    /// <summary>The part's migrations for <paramref name="dialect"/>, by version.</summary>
    public IReadOnlyList<Migration> For(SqlDialect dialect) => (dialect == SqlDialect.Sqlite ? _sqlite : _postgres).Value;

    private static List<Migration> Read(Assembly assembly, string part, SqlDialect dialect)
    {
        var suffix = "." + (dialect == SqlDialect.Sqlite ? "sqlite" : "postgres") + ".sql";
        return assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(Prefix, StringComparison.Ordinal) && n.EndsWith(suffix, StringComparison.Ordinal))
            .Select(n =>
            {
                var file = n[Prefix.Length..^suffix.Length];
                var version = int.Parse(file[..4], CultureInfo.InvariantCulture);
                using var s = assembly.GetManifestResourceStream(n)!;
                using var r = new StreamReader(s);
                return new Migration(version, file, r.ReadToEnd(), part);
            })
            .OrderBy(m => m.Version)
            .ToList();
    }

    /// <summary><paramref name="sets"/> with <see cref="Data"/> first and without repeats.</summary>
    internal static IReadOnlyList<MigrationSet> WithData(IEnumerable<MigrationSet> sets) =>
        new[] { Data }.Concat(sets).Distinct().ToList();

    /// <inheritdoc/>
    public override string ToString() => Part;
}

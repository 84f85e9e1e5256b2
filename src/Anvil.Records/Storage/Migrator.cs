using System.Data.Common;
using System.Globalization;

namespace Anvil.Records.Storage;

/// <summary>
/// Applies the embedded SQL migrations (<c>Storage/Migrations/NNNN_name.&lt;dialect&gt;.sql</c>) in order, each in its
/// own transaction, recording them in <c>schema_migrations</c>. Safe to run from several processes at once.
/// </summary>
public sealed class Migrator(RecordsDatabase db)
{
    public sealed record Migration(int Version, string Name, string Sql);

    /// <summary>The migrations for this database's dialect, in order.</summary>
    public IReadOnlyList<Migration> Available()
    {
        var suffix = "." + (db.Dialect == SqlDialect.Sqlite ? "sqlite" : "postgres") + ".sql";
        var asm = typeof(Migrator).Assembly;
        return asm.GetManifestResourceNames()
            .Where(n => n.Contains(".Storage.Migrations.", StringComparison.Ordinal) && n.EndsWith(suffix, StringComparison.Ordinal))
            .Select(n =>
            {
                var file = n[(n.IndexOf(".Migrations.", StringComparison.Ordinal) + ".Migrations.".Length)..^suffix.Length];
                var version = int.Parse(file[..4], CultureInfo.InvariantCulture);
                using var s = asm.GetManifestResourceStream(n)!;
                using var r = new StreamReader(s);
                return new Migration(version, file, r.ReadToEnd());
            })
            .OrderBy(m => m.Version)
            .ToList();
    }

    /// <summary>Versions already applied.</summary>
    public async Task<IReadOnlyList<int>> AppliedAsync(CancellationToken ct = default)
    {
        await using var c = await db.OpenConnectionAsync(ct).ConfigureAwait(false);
        using var s = new SqlSession(c, null);
        await EnsureTableAsync(s).ConfigureAwait(false);
        await using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT version FROM schema_migrations ORDER BY version";
        var versions = new List<int>();
        await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            versions.Add(Convert.ToInt32(reader.GetValue(0), CultureInfo.InvariantCulture));
        }
        return versions;
    }

    /// <summary>Applies what is missing; returns the migrations it applied.</summary>
    public async Task<IReadOnlyList<Migration>> MigrateAsync(CancellationToken ct = default)
    {
        var applied = new List<Migration>();
        foreach (var m in Available())
        {
            var done = await db.WriteAsync(async (c, tx) =>
            {
                using var s = new SqlSession(c, tx);
                if (db.Dialect == SqlDialect.Postgres)
                {
                    // Serialise concurrent migrators (two servers starting at once) on one database, before anything
                    // else: even CREATE TABLE IF NOT EXISTS races between two sessions on PostgreSQL.
                    await s.ExecuteAsync("SELECT pg_advisory_xact_lock(7212026)").ConfigureAwait(false);
                }
                await EnsureTableAsync(s).ConfigureAwait(false);
                if (await s.LongAsync("SELECT COUNT(*) FROM schema_migrations WHERE version = @v", ("v", (long)m.Version)).ConfigureAwait(false) > 0)
                {
                    return false;
                }
                await s.ExecuteAsync(m.Sql).ConfigureAwait(false);
                await s.ExecuteAsync("INSERT INTO schema_migrations (version, name, applied) VALUES (@v, @n, @a)",
                    ("v", (long)m.Version), ("n", m.Name), ("a", Clock.NowMicros())).ConfigureAwait(false);
                return true;
            }, ct).ConfigureAwait(false);
            if (done)
            {
                applied.Add(m);
            }
        }
        return applied;
    }

    private static Task EnsureTableAsync(SqlSession s) =>
        s.ExecuteAsync("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied BIGINT NOT NULL)");
}

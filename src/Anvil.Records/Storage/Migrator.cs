using System.Data.Common;
using System.Globalization;
using Dapper;

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
        await EnsureTableAsync(c).ConfigureAwait(false);
        return (await c.QueryAsync<int>("SELECT version FROM schema_migrations ORDER BY version").ConfigureAwait(false)).ToList();
    }

    /// <summary>Applies what is missing; returns the migrations it applied.</summary>
    public async Task<IReadOnlyList<Migration>> MigrateAsync(CancellationToken ct = default)
    {
        var applied = new List<Migration>();
        foreach (var m in Available())
        {
            var done = await db.WriteAsync(async (c, tx) =>
            {
                await EnsureTableAsync(c, tx).ConfigureAwait(false);
                if (db.Dialect == SqlDialect.Postgres)
                {
                    // Serialise concurrent migrators (two servers starting at once) on one database.
                    await c.ExecuteAsync("SELECT pg_advisory_xact_lock(7212026)", transaction: tx).ConfigureAwait(false);
                }
                var exists = await c.ExecuteScalarAsync<long>(
                    "SELECT COUNT(*) FROM schema_migrations WHERE version = @v", new { v = m.Version }, tx).ConfigureAwait(false);
                if (exists > 0)
                {
                    return false;
                }
                await c.ExecuteAsync(m.Sql, transaction: tx).ConfigureAwait(false);
                await c.ExecuteAsync("INSERT INTO schema_migrations (version, name, applied) VALUES (@v, @n, @a)",
                    new { v = m.Version, n = m.Name, a = Clock.NowMicros() }, tx).ConfigureAwait(false);
                return true;
            }, ct).ConfigureAwait(false);
            if (done)
            {
                applied.Add(m);
            }
        }
        return applied;
    }

    private static Task EnsureTableAsync(DbConnection c, DbTransaction? tx = null) =>
        c.ExecuteAsync("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied BIGINT NOT NULL)",
            transaction: tx);
}

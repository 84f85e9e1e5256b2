using System.Data.Common;
using System.Globalization;

namespace Anvil.Data.Migrations;

/// <summary>
/// Applies the migrations of the parts the database was opened for (<see cref="AnvilDatabase.Schema"/>), merged and
/// ordered by version, each in its own transaction, recording them in <c>schema_migrations</c>. A version already
/// recorded is never run again, whichever part brings it, so a database upgrades with only what is new. Safe to run
/// from several processes at once.
/// </summary>
public sealed class Migrator(AnvilDatabase db)
{
    /// <summary>The migrations of every part for this database's dialect, in version order.</summary>
    /// <exception cref="InvalidOperationException">Two migrations share a version.</exception>
    public IReadOnlyList<Migration> Available()
    {
        var all = db.Schema.SelectMany(set => set.For(db.Dialect)).OrderBy(m => m.Version).ToList();
        for (var i = 1; i < all.Count; i++)
        {
            if (all[i].Version == all[i - 1].Version)
            {
                // Versions share one table: a clash would make one part's migration look applied when it is not.
                throw new InvalidOperationException(
                    $"migration version {all[i].Version:D4} is used twice: {all[i - 1].Part} ({all[i - 1].Name}) and {all[i].Part} ({all[i].Name})");
            }
        }
        return all;
    }

    /// <summary>Versions already applied.</summary>
    public async Task<IReadOnlyList<int>> AppliedAsync(CancellationToken ct = default)
    {
        await using var c = await db.OpenConnectionAsync(ct).ConfigureAwait(false);
        using var s = new SqlSession(c, null, db.Dialect);
        await EnsureTableAsync(s).ConfigureAwait(false);
        return await RecordedAsync(c, ct).ConfigureAwait(false);
    }

    private static async Task<List<int>> RecordedAsync(DbConnection c, CancellationToken ct)
    {
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

    /// <summary>The versions recorded, read without writing anything (no table yet: none).</summary>
    private async Task<HashSet<int>> RecordedAsync(CancellationToken ct)
    {
        await using var c = await db.OpenConnectionAsync(ct).ConfigureAwait(false);
        using var s = new SqlSession(c, null, db.Dialect);
        var exists = await s.LongAsync(db.Dialect == SqlDialect.Postgres
            ? "SELECT CASE WHEN to_regclass('schema_migrations') IS NULL THEN 0 ELSE 1 END"
            : "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").ConfigureAwait(false);
        return exists > 0 ? [.. await RecordedAsync(c, ct).ConfigureAwait(false)] : [];
    }

    /// <summary>Applies what is missing; returns the migrations it applied.</summary>
    public async Task<IReadOnlyList<Migration>> MigrateAsync(CancellationToken ct = default)
    {
        var applied = new List<Migration>();
        // Almost every open finds everything applied: one read says so, instead of a write transaction (SQLite's
        // writer queue, PostgreSQL's advisory lock) per migration. What is missing is checked again under the lock.
        var all = Available();
        var recorded = await RecordedAsync(ct).ConfigureAwait(false);
        foreach (var m in all.Where(m => !recorded.Contains(m.Version)))
        {
            var done = await db.WriteAsync(async (c, tx) =>
            {
                using var s = new SqlSession(c, tx, db.Dialect);
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
                    ("v", (long)m.Version), ("n", m.Name), ("a", db.NowMicros())).ConfigureAwait(false);
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

using Anvil.Data;
using Anvil.Data.Migrations;
using Dapper;

namespace Anvil.Server.Tests;

/// <summary>Every part's migrations together (<see cref="AnvilSchema.All"/>) against a database made by the
/// migrations as they were before the parts had their own (tests/fixtures/migrations-0005).</summary>
public sealed class SchemaUpgradeTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task ExistingDatabase_UpgradesWithNothingRerun_AndEndsLikeANewOne()
    {
        var old = Path.Combine(_dir.Path, "old.db");
        await MakeOldDatabaseAsync(old);

        await using var upgraded = await AnvilDatabase.OpenAsync(old, AnvilSchema.All, migrate: false);
        var applied = await new Migrator(upgraded).MigrateAsync();
        Assert.Equal(["0000_users"], applied.Select(m => m.Name)); // only the new one; it finds its tables made
        await using var fresh = await AnvilDatabase.OpenAsync(Path.Combine(_dir.Path, "new.db"), AnvilSchema.All);
        Assert.Equal(await SchemaAsync(fresh), await SchemaAsync(upgraded));

        // The users and tokens an older Anvil stored are still there and still work.
        var users = new Anvil.Data.Users.UserStore(upgraded);
        Assert.True(await users.VerifyAsync("old-admin", "old-password"));
        var tokens = new Anvil.Data.Users.TokenStore(upgraded);
        var made = await tokens.CreateAsync("old-admin");
        Assert.Equal("old-admin", (await tokens.AuthenticateAsync(made.Secret))?.User);
    }

    [Fact]
    public async Task NewDatabase_HasEveryPartsMigrations_WithUniqueVersions()
    {
        await using var db = await AnvilDatabase.OpenAsync(Path.Combine(_dir.Path, "all.db"), AnvilSchema.All);
        Assert.Equal(["Anvil.Data", "Anvil.Records", "Anvil.Registry"], db.Schema.Select(s => s.Part));
        Assert.Equal([0, 1, 2, 3, 4, 5], new Migrator(db).Available().Select(m => m.Version));
        await using var c = await db.OpenConnectionAsync();
        Assert.Equal([0L, 1, 2, 3, 4, 5], await c.QueryAsync<long>("SELECT version FROM schema_migrations ORDER BY version"));
    }

    /// <summary>What the old migrator did: each script, then its row in schema_migrations.</summary>
    private static async Task MakeOldDatabaseAsync(string path)
    {
        var dir = Path.Combine(AppContext.BaseDirectory, "fixtures", "migrations-0005");
        var scripts = Directory.GetFiles(dir, "*.sqlite.sql").Order(StringComparer.Ordinal).ToList();
        Assert.True(scripts.Count == 5, $"expected the five old migrations in {dir}, found {scripts.Count}");
        await using var db = await AnvilDatabase.OpenAsync(path, [], migrate: false);
        await using var c = await db.OpenConnectionAsync();
        await c.ExecuteAsync("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied BIGINT NOT NULL)");
        foreach (var script in scripts)
        {
            var name = Path.GetFileName(script)[..^".sqlite.sql".Length];
            await c.ExecuteAsync(await File.ReadAllTextAsync(script));
            await c.ExecuteAsync("INSERT INTO schema_migrations (version, name, applied) VALUES (@v, @name, 0)",
                new { v = int.Parse(name[..4], System.Globalization.CultureInfo.InvariantCulture), name });
        }
        await c.ExecuteAsync("INSERT INTO users (created, updated, name, password_hash, is_admin) VALUES (0, 0, 'old-admin', @hash, 1)",
            new { hash = Anvil.Data.Users.PasswordHasher.Hash("old-password") });
    }

    /// <summary>Tables with their columns, keys and indexes, and the triggers and views, as SQLite describes them
    /// (not the CREATE text, which differs by IF NOT EXISTS).</summary>
    private static async Task<string> SchemaAsync(AnvilDatabase db)
    {
        await using var c = await db.OpenConnectionAsync();
        var lines = new List<string>();
        var objects = (await c.QueryAsync<(string Type, string Name, string Table, string? Sql)>(
            "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name")).ToList();
        foreach (var (type, name, table, sql) in objects)
        {
            switch (type)
            {
                case "table":
                    foreach (var col in await c.QueryAsync<(long Cid, string Name, string Type, long NotNull, string? Default, long Pk)>(
                        $"SELECT cid, name, type, \"notnull\", dflt_value, pk FROM pragma_table_info('{name}')"))
                    {
                        lines.Add($"table {name} column {col}");
                    }
                    foreach (var fk in await c.QueryAsync<(string Table, string From, string? To, string OnDelete)>(
                        $"SELECT \"table\", \"from\", \"to\", on_delete FROM pragma_foreign_key_list('{name}')"))
                    {
                        lines.Add($"table {name} fk {fk}");
                    }
                    // Unique constraints are indexes of their own (sqlite_autoindex_…), not listed above.
                    foreach (var ix in await c.QueryAsync<(string Name, long Unique, string Origin)>(
                        $"SELECT name, \"unique\", origin FROM pragma_index_list('{name}') ORDER BY name"))
                    {
                        var on = await c.QueryAsync<string>($"SELECT name FROM pragma_index_info('{ix.Name}') ORDER BY seqno");
                        lines.Add($"table {name} index {ix} ({string.Join(", ", on)})");
                    }
                    break;
                case "index":
                    var cols = await c.QueryAsync<string>($"SELECT name FROM pragma_index_info('{name}') ORDER BY seqno");
                    lines.Add($"index {name} on {table} ({string.Join(", ", cols)})");
                    break;
                default:
                    lines.Add($"{type} {name} on {table}: {sql}");
                    break;
            }
        }
        return string.Join("\n", lines);
    }
}

using Anvil.Data.Migrations;
using Dapper;

namespace Anvil.Data.Tests;

/// <summary>The migrator over several parts' migration sets, on a real SQLite file.</summary>
public sealed class MigratorTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private string DbPath => Path.Combine(_dir.Path, "anvil.db");

    private static readonly MigrationSet Widgets = MigrationSet.Of("Widgets",
        (3, "0003_widget_colour", "ALTER TABLE widgets ADD COLUMN colour TEXT NULL"),
        (1, "0001_widgets", "CREATE TABLE widgets (id INTEGER PRIMARY KEY, owner INTEGER NOT NULL REFERENCES users (id))"));

    private static readonly MigrationSet Gadgets = MigrationSet.Of("Gadgets",
        (2, "0002_gadgets", "CREATE TABLE gadgets (id INTEGER PRIMARY KEY)"));

    [Fact]
    public async Task Open_MergesThePartsSetsByVersion_DataFirst_AndRecordsEach()
    {
        await using var db = await AnvilDatabase.OpenAsync(DbPath, [Widgets, Gadgets]);
        Assert.Equal(["Anvil.Data", "Widgets", "Gadgets"], db.Schema.Select(s => s.Part));
        Assert.Equal([0, 1, 2, 3], new Migrator(db).Available().Select(m => m.Version));
        await using var c = await db.OpenConnectionAsync();
        var recorded = (await c.QueryAsync<(long Version, string Name)>("SELECT version, name FROM schema_migrations ORDER BY version")).ToList();
        Assert.Equal([(0L, "0000_users"), (1L, "0001_widgets"), (2L, "0002_gadgets"), (3L, "0003_widget_colour")], recorded);
        // The part's tables may refer to Data's: users came first.
        Assert.Equal(1L, await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM pragma_table_info('widgets') WHERE name = 'colour'"));
    }

    [Fact]
    public async Task Open_WithAPartAddedLater_AppliesOnlyThatPart()
    {
        await using (await AnvilDatabase.OpenAsync(DbPath, [Gadgets]))
        {
        }
        await using var db = await AnvilDatabase.OpenAsync(DbPath, [Gadgets, Widgets], migrate: false);
        Assert.Equal([1, 3], (await new Migrator(db).MigrateAsync()).Select(m => m.Version));
        Assert.Empty(await new Migrator(db).MigrateAsync());
    }

    [Fact]
    public async Task Open_TwoPartsWithOneVersion_RefusesNamingBoth()
    {
        var clash = MigrationSet.Of("Clash", (2, "0002_other", "CREATE TABLE other (id INTEGER PRIMARY KEY)"));
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => AnvilDatabase.OpenAsync(DbPath, [Gadgets, clash]));
        Assert.Equal("migration version 0002 is used twice: Gadgets (0002_gadgets) and Clash (0002_other)", e.Message);
    }

    [Fact]
    public async Task Open_DataOnly_MakesUsersAndTokens()
    {
        await using var db = await AnvilDatabase.OpenAsync(DbPath, []);
        await using var c = await db.OpenConnectionAsync();
        var tables = (await c.QueryAsync<string>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")).ToList();
        Assert.Equal(["registry_tokens", "schema_migrations", "users"], tables);
    }
}

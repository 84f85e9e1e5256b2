using System.Data.Common;
using Anvil.Data.Migrations;

namespace Anvil.Data.Tests;

/// <summary>The one unique-violation check and the one LIKE escaper, against real SQLite errors and queries.</summary>
public sealed class SqlSessionTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static readonly MigrationSet Scratch = MigrationSet.Of("Scratch",
        (1, "0001_scratch", "CREATE TABLE parent (id INTEGER PRIMARY KEY); " +
            "CREATE TABLE child (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, size INTEGER NOT NULL CHECK (size > 0), " +
            "parent_id INTEGER NULL REFERENCES parent (id)); INSERT INTO parent (id) VALUES (1); " +
            "INSERT INTO child (id, name, size, parent_id) VALUES (1, 'a', 1, 1)"));

    [Theory]
    [InlineData("INSERT INTO child (name, size) VALUES ('a', 1)", true)] // UNIQUE
    [InlineData("INSERT INTO child (id, name, size) VALUES (1, 'b', 1)", true)] // PRIMARY KEY
    [InlineData("INSERT INTO child (name, size) VALUES (NULL, 1)", false)] // NOT NULL
    [InlineData("INSERT INTO child (name, size) VALUES ('c', 0)", false)] // CHECK
    [InlineData("INSERT INTO child (name, size, parent_id) VALUES ('d', 1, 99)", false)] // FOREIGN KEY
    public async Task IsUniqueViolation_OnlyForUniqueAndPrimaryKeys(string sql, bool unique)
    {
        await using var db = await AnvilDatabase.OpenAsync(Path.Combine(_dir.Path, "s.db"), [Scratch]);
        await using var c = await db.OpenConnectionAsync();
        using var s = new SqlSession(c, null, db.Dialect);
        var e = await Assert.ThrowsAnyAsync<DbException>(() => s.ExecuteAsync(sql));
        Assert.Equal(unique, SqlSession.IsUniqueViolation(e));
    }

    [Fact]
    public async Task EscapeLike_MatchesTheTextLiterally()
    {
        await using var db = await AnvilDatabase.OpenAsync(Path.Combine(_dir.Path, "l.db"), [MigrationSet.Of("Like",
            (1, "0001_like", "CREATE TABLE t (v TEXT NOT NULL); INSERT INTO t (v) VALUES ('50%_off\\x'), ('50 percent off'), ('5000_offx')"))]);
        await using var c = await db.OpenConnectionAsync();
        using var s = new SqlSession(c, null, db.Dialect);
        var pattern = "%" + SqlSession.EscapeLike("0%_off\\") + "%";
        Assert.Equal(1, await s.LongAsync("SELECT COUNT(*) FROM t WHERE v LIKE @p ESCAPE '\\'", ("p", pattern)));
        Assert.Equal("50%_off\\x", await s.StringAsync("SELECT v FROM t WHERE v LIKE @p ESCAPE '\\'", ("p", pattern)));
    }
}

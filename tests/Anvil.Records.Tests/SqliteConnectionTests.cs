using Anvil.Data;
using Anvil.Records.Storage;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Anvil.Records.Tests;

/// <summary>Every connection the database hands out is configured, whether the pool made it new or reused it.</summary>
public sealed class SqliteConnectionTests
{
    [Fact]
    public async Task EveryConnection_IsInWalWithNormalSyncAndABusyTimeout()
    {
        using var dir = new TempDir();
        await using var db = await AnvilDatabase.OpenAsync(Path.Combine(dir.Path, "anvil.db"), [RecordsSchema.Migrations]);
        for (var round = 0; round < 3; round++)
        {
            if (round == 2)
            {
                SqliteConnection.ClearAllPools(); // the next connection is a new handle
            }
            await using var c = await db.OpenConnectionAsync();
            Assert.Equal("wal", await c.ExecuteScalarAsync<string>("PRAGMA journal_mode"));
            Assert.Equal(1, await c.ExecuteScalarAsync<long>("PRAGMA synchronous")); // NORMAL
            Assert.Equal(30000, await c.ExecuteScalarAsync<long>("PRAGMA busy_timeout"));
        }
        SqliteConnection.ClearAllPools();
    }
}

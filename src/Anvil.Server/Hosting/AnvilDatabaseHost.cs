using Anvil.Data;
using Anvil.Data.Migrations;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Anvil.Server.Hosting;

/// <summary>
/// Opens (and migrates, for every part the server has: <see cref="AnvilSchema.All"/>) Anvil's database once when the server starts, before it accepts requests, and closes
/// it when the server stops. Everything else gets the one shared <see cref="AnvilDatabase"/> from here.
/// </summary>
internal sealed partial class AnvilDatabaseHost(IOptions<RecordsServerOptions> options, TimeProvider time,
    ILogger<AnvilDatabaseHost> logger)
    : IHostedService, IAsyncDisposable
{
    private AnvilDatabase? _database;

    public AnvilDatabase Database =>
        _database ?? throw new InvalidOperationException("the records database is opened when the server starts");

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var db = await AnvilDatabase.OpenAsync(options.Value.Database, AnvilSchema.All, migrate: false, time, cancellationToken);
        try
        {
            var applied = await new Migrator(db).MigrateAsync(cancellationToken);
            foreach (var m in applied)
            {
                LogMigrated(logger, m.Name, db.Description);
            }
        }
        catch
        {
            await db.DisposeAsync();
            throw;
        }
        _database = db;
        LogOpened(logger, db.Description);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        if (_database is not null)
        {
            await _database.DisposeAsync();
            _database = null;
        }
    }

    [LoggerMessage(EventId = 10, Level = LogLevel.Information, Message = "Applied migration {Migration} to {Database}")]
    private static partial void LogMigrated(ILogger logger, string migration, string database);

    [LoggerMessage(EventId = 11, Level = LogLevel.Information, Message = "Records database: {Database}")]
    private static partial void LogOpened(ILogger logger, string database);
}

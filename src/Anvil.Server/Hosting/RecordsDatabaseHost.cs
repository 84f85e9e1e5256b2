using Anvil.Records.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Anvil.Server.Hosting;

/// <summary>
/// Opens (and migrates) the records database once when the server starts, before it accepts requests, and closes
/// it when the server stops. Everything else gets the one shared <see cref="RecordsDatabase"/> from here.
/// </summary>
internal sealed partial class RecordsDatabaseHost(IOptions<RecordsServerOptions> options, ILogger<RecordsDatabaseHost> logger)
    : IHostedService, IAsyncDisposable
{
    private RecordsDatabase? _database;

    public RecordsDatabase Database =>
        _database ?? throw new InvalidOperationException("the records database is opened when the server starts");

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var db = await RecordsDatabase.OpenAsync(options.Value.Database, migrate: false, cancellationToken);
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

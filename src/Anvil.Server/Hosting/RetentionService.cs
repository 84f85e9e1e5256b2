using Anvil.Records.Retention;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Anvil.Server.Hosting;

/// <summary>
/// The scheduled retention sweep: when the server starts and then every <see cref="RecordsServerOptions.RetentionInterval"/>,
/// expires runs that stopped reporting (<see cref="RecordsServerOptions.ExpireRunningAfter"/>), then deletes playbooks
/// older than <see cref="RecordsServerOptions.PruneDays"/>. A failed sweep is logged and retried at the next tick:
/// retention must never take the server down.
/// </summary>
internal sealed partial class RetentionService(
    AnvilDatabaseHost host,
    IOptions<RecordsServerOptions> options,
    TimeProvider time,
    ILogger<RetentionService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        if (o.PruneDays == 0 && o.ExpireRunningAfter == TimeSpan.Zero)
        {
            LogOff(logger);
            return;
        }
        LogOn(logger, o.PruneDays, o.ExpireRunningAfter, o.RetentionInterval);
        // Let the server finish starting before the first sweep touches the database.
        await Task.Yield();
        using var timer = new PeriodicTimer(o.RetentionInterval, time);
        try
        {
            do
            {
                await SweepAsync(o, stoppingToken);
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>One sweep: expire first, so that a stale run old enough to be pruned is pruned in the same sweep.</summary>
    internal async Task SweepAsync(RecordsServerOptions o, CancellationToken ct)
    {
        var retention = new RecordsRetention(host.Database);
        var now = time.GetUtcNow();
        try
        {
            if (o.ExpireRunningAfter > TimeSpan.Zero)
            {
                var idleSince = now - o.ExpireRunningAfter;
                var expired = await retention.ExpireAsync(idleSince, ct);
                if (expired.Playbooks.Count > 0)
                {
                    LogExpired(logger, expired.Playbooks.Count, expired.Plays, expired.Tasks, idleSince, Few(expired.Playbooks));
                }
            }
            if (o.PruneDays > 0)
            {
                var startedBefore = now - TimeSpan.FromDays(o.PruneDays);
                var deleted = await retention.PruneAsync(startedBefore, ct);
                if (deleted > 0)
                {
                    LogPruned(logger, deleted, o.PruneDays, startedBefore);
                }
            }
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            LogFailed(logger, e);
        }
    }

    /// <summary>The ids, or the first of them when there are many: a log line stays one line.</summary>
    private static string Few(IReadOnlyList<long> ids) =>
        ids.Count <= 20 ? string.Join(", ", ids) : string.Join(", ", ids.Take(20)) + $", … ({ids.Count - 20} more)";

    [LoggerMessage(EventId = 30, Level = LogLevel.Debug, Message = "Retention is off (Records:PruneDays is 0 and Records:ExpireRunningAfter is 00:00:00)")]
    private static partial void LogOff(ILogger logger);

    [LoggerMessage(EventId = 31, Level = LogLevel.Information,
        Message = "Retention: pruning playbooks older than {PruneDays} days (0: never), expiring runs idle for {ExpireAfter} (00:00:00: never), every {Interval}")]
    private static partial void LogOn(ILogger logger, int pruneDays, TimeSpan expireAfter, TimeSpan interval);

    [LoggerMessage(EventId = 32, Level = LogLevel.Information,
        Message = "Retention: expired {Playbooks} running playbooks ({Plays} plays, {Tasks} tasks) with no activity since {IdleSince:O}: {Ids}")]
    private static partial void LogExpired(ILogger logger, int playbooks, int plays, int tasks, DateTimeOffset idleSince, string ids);

    [LoggerMessage(EventId = 33, Level = LogLevel.Information,
        Message = "Retention: deleted {Playbooks} playbooks started more than {Days} days ago (before {StartedBefore:O})")]
    private static partial void LogPruned(ILogger logger, int playbooks, int days, DateTimeOffset startedBefore);

    [LoggerMessage(EventId = 34, Level = LogLevel.Error, Message = "Retention sweep failed; retrying at the next interval")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}

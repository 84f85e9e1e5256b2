using Anvil.Records.Api;
using Anvil.Records.Storage;

namespace Anvil.Records.Retention;

/// <summary>What <see cref="RecordsRetention.ExpireAsync"/> changed.</summary>
/// <param name="Playbooks">The ids of the playbooks now <c>expired</c>.</param>
/// <param name="Plays">How many of their running plays were expired.</param>
/// <param name="Tasks">How many of their running tasks were expired.</param>
public sealed record ExpireResult(IReadOnlyList<long> Playbooks, int Plays, int Tasks);

/// <summary>
/// Retention of the records, set-based, on SQLite and PostgreSQL: deleting old playbooks (ARA's <c>prune</c>) and
/// marking runs that stopped reporting as <c>expired</c> (ARA's <c>expire</c>). The server's retention service runs
/// these on a schedule; <c>anvil records playbook prune|expire</c> does the same through the API, one request per
/// playbook, so that it also works against a remote server.
/// </summary>
public sealed class RecordsRetention(AnvilDatabase database)
{
    /// <summary>Playbooks deleted per transaction: small enough that a SQLite writer (a run being recorded) never
    /// waits long for the lock, large enough that a big backlog goes in few statements.</summary>
    public const int DeleteBatch = 200;

    /// <summary>
    /// Deletes every playbook started at or before <paramref name="startedBefore"/>, with everything under it, as
    /// <c>DELETE /api/v1/playbooks/{id}</c> does (including the latest-host re-pointing), oldest first, in batches of
    /// <see cref="DeleteBatch"/>. Returns how many were deleted.
    /// </summary>
    public async Task<int> PruneAsync(DateTimeOffset startedBefore, CancellationToken ct = default)
    {
        var cutoff = Clock.ToMicros(startedBefore);
        var total = 0;
        while (true)
        {
            var deleted = await database.WriteAsync(async (c, tx) =>
            {
                var db = new Db(c, tx, database.Dialect);
                var ids = await IdsAsync(db,
                    "SELECT id FROM playbooks WHERE started <= @cutoff ORDER BY started, id LIMIT @batch",
                    new { cutoff, batch = DeleteBatch }, ct).ConfigureAwait(false);
                if (ids.Length > 0)
                {
                    await RecordsApi.DeletePlaybooksAsync(db, ids, database.NowMicros(), ct).ConfigureAwait(false);
                }
                return ids.Length;
            }, ct).ConfigureAwait(false);
            total += deleted;
            if (deleted < DeleteBatch)
            {
                return total;
            }
        }
    }

    /// <summary>
    /// Marks as <c>expired</c> the playbooks still <c>running</c> that show no sign of life since
    /// <paramref name="idleSince"/>: the playbook itself not updated, and none of its tasks updated nor any of its
    /// results started since then (a recorder only touches the playbook row at the start and the end of a run, so
    /// a long run that is still working shows up in its tasks and results). Their running plays and tasks are
    /// expired with them. One transaction.
    /// </summary>
    public Task<ExpireResult> ExpireAsync(DateTimeOffset idleSince, CancellationToken ct = default)
    {
        var cutoff = Clock.ToMicros(idleSince);
        return database.WriteAsync(async (c, tx) =>
        {
            var db = new Db(c, tx, database.Dialect);
            var now = database.NowMicros();
            var ids = await IdsAsync(db, """
                UPDATE playbooks SET status = 'expired', updated = @now
                WHERE status = 'running' AND updated <= @cutoff
                  AND NOT EXISTS (SELECT 1 FROM tasks t WHERE t.playbook_id = playbooks.id AND t.updated >= @cutoff)
                  AND NOT EXISTS (SELECT 1 FROM results r WHERE r.playbook_id = playbooks.id AND r.started >= @cutoff)
                RETURNING id
                """, new { now, cutoff }, ct).ConfigureAwait(false);
            if (ids.Length == 0)
            {
                return new ExpireResult([], 0, 0);
            }
            var plays = await db.ExecuteAsync(
                $"UPDATE plays SET status = 'expired', updated = @now WHERE status = 'running' AND {db.In("playbook_id", "@ids")}",
                new { now, ids }, ct).ConfigureAwait(false);
            var tasks = await db.ExecuteAsync(
                $"UPDATE tasks SET status = 'expired', updated = @now WHERE status = 'running' AND {db.In("playbook_id", "@ids")}",
                new { now, ids }, ct).ConfigureAwait(false);
            Array.Sort(ids);
            return new ExpireResult(ids, plays, tasks);
        }, ct);
    }

    private static async Task<long[]> IdsAsync(Db db, string sql, object args, CancellationToken ct)
    {
        var ids = new List<long>();
        await using var reader = await db.ReaderAsync(sql, args, ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            ids.Add(reader.GetInt64(0));
        }
        return ids.ToArray();
    }
}

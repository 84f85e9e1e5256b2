using System.Data.Common;
using Anvil.Records.Resources;
using Anvil.Records.Storage;

namespace Anvil.Records.Api;

/// <summary><c>/api/v1/results</c>: one task's outcome on one host.</summary>
public sealed partial class RecordsApi
{
    private static readonly FieldSpec[] ResultFields =
    [
        new("content", FieldKind.Json) { Default = "{}" },
        new("delegated_to", FieldKind.HostIds),
        new("started", FieldKind.DateTime),
        new("ended", FieldKind.DateTime) { AllowNull = true },
        new("duration", FieldKind.Duration) { AllowNull = true },
        new("status", FieldKind.Choice) { Choices = ResultStatus.Stored },
        new("changed", FieldKind.Boolean),
        new("ignore_errors", FieldKind.Boolean),
        new("host", FieldKind.Reference) { Required = true, Table = "hosts" },
        new("task", FieldKind.Reference) { Required = true, Table = "tasks" },
        new("play", FieldKind.Reference) { Required = true, Table = "plays" },
        new("playbook", FieldKind.Reference) { Required = true, Table = "playbooks" },
    ];

    private const string ResultColumns =
        "r.id, r.created, r.updated, r.started, r.ended, r.status, r.changed, r.ignore_errors, r.host_id, r.task_id, r.play_id, r.playbook_id";

    private sealed record ResultRow
    {
        public long Id { get; init; }
        public long Created { get; init; }
        public long Updated { get; init; }
        public long Started { get; init; }
        public long? Ended { get; init; }
        public string Status { get; init; } = "unknown";
        public bool Changed { get; init; }
        public bool IgnoreErrors { get; init; }
        public long HostId { get; init; }
        public long TaskId { get; init; }
        public long PlayId { get; init; }
        public long PlaybookId { get; init; }

        /// <summary>The stored content, when it was asked for.</summary>
        public string Content { get; init; } = "{}";

        public List<long> DelegatedTo { get; init; } = [];

        /// <summary>What list and detail show: <c>changed</c> for a changed ok, <c>ignored</c> for an ignored failure.</summary>
        public string ShownStatus => ResultStatus.Of(Status, Changed, IgnoreErrors);
    }

    private static ResultRow ReadResultRow(DbDataReader r) => new()
    {
        Id = r.GetInt64(0),
        Created = r.GetInt64(1),
        Updated = r.GetInt64(2),
        Started = r.GetInt64(3),
        Ended = r.GetInt64OrNull(4),
        Status = r.GetString(5),
        Changed = r.GetBool(6),
        IgnoreErrors = r.GetBool(7),
        HostId = r.GetInt64(8),
        TaskId = r.GetInt64(9),
        PlayId = r.GetInt64(10),
        PlaybookId = r.GetInt64(11),
        Content = r.FieldCount > 12 ? r.GetString(12) : "{}",
    };

    private async Task<ApiResponse> ListResultsAsync(ApiRequest r, CancellationToken ct)
    {
        var (c, db) = await ReadAsync(ct).ConfigureAwait(false);
        await using (c)
        {
            var q = new ListQuery(r, db);
            // The status filter takes stored statuses: the shown ones computed on read are filtered with
            // changed/ignore_errors.
            q.Filter(RecordsResources.Results);
            q.Order(RecordsResources.Results);
            return await RunListAsync(r, db, q, ResultColumns, "results r", "", ReadResultRow,
                rows => FillDelegatedAsync(db, rows, ct), (o, x) =>
                {
                    o.W.WriteStartObject();
                    o.Number("id", x.Id);
                    o.String("status", x.ShownStatus);
                    o.Number("playbook", x.PlaybookId);
                    o.Number("play", x.PlayId);
                    o.Number("task", x.TaskId);
                    o.Number("host", x.HostId);
                    WriteHostIds(o, x.DelegatedTo);
                    WriteResultTimes(o, x);
                    o.Bool("changed", x.Changed);
                    o.Bool("ignore_errors", x.IgnoreErrors);
                    o.W.WriteEndObject();
                }, ct).ConfigureAwait(false);
        }
    }

    /// <summary>The delegated hosts of a page of results, in one query.</summary>
    private static async Task FillDelegatedAsync(Db db, List<ResultRow> rows, CancellationToken ct)
    {
        var byId = rows.ToDictionary(x => x.Id);
        await using var reader = await db.ReaderAsync(
            $"SELECT result_id, host_id FROM results_delegated_to WHERE {db.In("result_id", "@ids")} ORDER BY result_id, host_id",
            new { ids = byId.Keys.ToArray() }, ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            byId[reader.GetInt64(0)].DelegatedTo.Add(reader.GetInt64(1));
        }
    }

    private static async Task<ResultRow?> LoadResultAsync(Db db, long id, CancellationToken ct)
    {
        ResultRow result;
        await using (var reader = await db.ReaderAsync($"SELECT {ResultColumns}, r.content FROM results r WHERE r.id = @id", new { id }, ct)
            .ConfigureAwait(false))
        {
            if (!await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                return null;
            }
            result = ReadResultRow(reader);
        }
        await FillDelegatedAsync(db, [result], ct).ConfigureAwait(false);
        return result;
    }

    private async Task<ApiResponse> ResultAsync(long id, CancellationToken ct)
    {
        var (c, db) = await ReadAsync(ct).ConfigureAwait(false);
        await using (c)
        {
            if (await LoadResultAsync(db, id, ct).ConfigureAwait(false) is not { } result)
            {
                return Replies.NotFound();
            }
            var playbook = (await LoadPlaybooksAsync(db, [result.PlaybookId], ct).ConfigureAwait(false))[result.PlaybookId];
            var play = (await LoadPlaysAsync(db, [result.PlayId], ct).ConfigureAwait(false))[result.PlayId];
            var task = (await LoadTasksAsync(db, [result.TaskId], ct).ConfigureAwait(false))[result.TaskId];
            var hosts = await LoadHostsAsync(db, [result.HostId, .. result.DelegatedTo], ct).ConfigureAwait(false);
            using var o = new JsonOut();
            o.W.WriteStartObject();
            o.Number("id", result.Id);
            o.String("status", result.ShownStatus);
            o.W.WritePropertyName("playbook");
            WriteSimplePlaybook(o, playbook);
            o.W.WritePropertyName("play");
            WriteSimplePlay(o, play);
            o.W.WritePropertyName("task");
            WriteSimpleTask(o, task);
            o.W.WritePropertyName("host");
            WriteSimpleHost(o, hosts[result.HostId]);
            o.W.WriteStartArray("delegated_to");
            foreach (var hostId in result.DelegatedTo)
            {
                WriteSimpleHost(o, hosts[hostId]);
            }
            o.W.WriteEndArray();
            o.Raw("content", result.Content);
            WriteResultTimes(o, result);
            o.Bool("changed", result.Changed);
            o.Bool("ignore_errors", result.IgnoreErrors);
            o.W.WriteEndObject();
            return o.Finish(200);
        }
    }

    private static void WriteHostIds(JsonOut o, List<long> ids)
    {
        o.W.WriteStartArray("delegated_to");
        foreach (var id in ids)
        {
            o.W.WriteNumberValue(id);
        }
        o.W.WriteEndArray();
    }

    private static void WriteResultTimes(JsonOut o, ResultRow x)
    {
        o.Time("created", x.Created);
        o.Time("updated", x.Updated);
        o.Time("started", x.Started);
        o.Time("ended", x.Ended);
        o.Duration(x.Started, x.Ended);
    }

    private Task<ApiResponse> WriteResultAsync(ApiRequest r, long? id, WriteMode mode, CancellationToken ct) => WriteAsync(async db =>
    {
        var existing = id is { } i ? await LoadResultAsync(db, i, ct).ConfigureAwait(false) ?? throw Replies.NotFoundError() : null;
        using var body = RequestBody.Parse(r);
        var v = await WriteFields.ValidateAsync(body.Root, ResultFields, mode, db, ct).ConfigureAwait(false);
        var now = Database.NowMicros();
        var row = (existing ?? new ResultRow { Created = now, Started = now }) with { Updated = now };
        row = row with
        {
            Content = v.Pick("content", row.Content),
            Started = v.Pick("started", row.Started),
            Ended = v.Pick("ended", row.Ended),
            Status = v.Pick("status", row.Status),
            Changed = v.Pick("changed", row.Changed),
            IgnoreErrors = v.Pick("ignore_errors", row.IgnoreErrors),
            HostId = v.Pick("host", row.HostId),
            TaskId = v.Pick("task", row.TaskId),
            PlayId = v.Pick("play", row.PlayId),
            PlaybookId = v.Pick("playbook", row.PlaybookId),
            // Answered in id order, as reads list them.
            DelegatedTo = v.TryGetValue("delegated_to", out var d) ? [.. ((List<long>)d!).Order()] : row.DelegatedTo,
        };
        if (existing is null)
        {
            row = row with
            {
                Id = await db.ScalarAsync<long>(
                    """
                    INSERT INTO results (created, updated, started, ended, status, changed, ignore_errors, content, host_id, task_id,
                        play_id, playbook_id)
                    VALUES (@Created, @Updated, @Started, @Ended, @Status, @Changed, @IgnoreErrors, @Content, @HostId, @TaskId,
                        @PlayId, @PlaybookId)
                    RETURNING id
                    """, row, ct).ConfigureAwait(false),
            };
        }
        else
        {
            await db.ExecuteAsync(
                """
                UPDATE results SET updated = @Updated, started = @Started, ended = @Ended, status = @Status, changed = @Changed,
                    ignore_errors = @IgnoreErrors, content = @Content, host_id = @HostId, task_id = @TaskId, play_id = @PlayId,
                    playbook_id = @PlaybookId
                WHERE id = @Id
                """, row, ct).ConfigureAwait(false);
        }
        if (v.ContainsKey("delegated_to"))
        {
            await db.ExecuteAsync("DELETE FROM results_delegated_to WHERE result_id = @Id", row, ct).ConfigureAwait(false);
            foreach (var hostId in row.DelegatedTo)
            {
                await db.ExecuteAsync("INSERT INTO results_delegated_to (result_id, host_id) VALUES (@resultId, @hostId)",
                    new { resultId = row.Id, hostId }, ct).ConfigureAwait(false);
            }
        }
        using var o = new JsonOut();
        o.W.WriteStartObject();
        o.Number("id", row.Id);
        o.Raw("content", row.Content);
        WriteHostIds(o, row.DelegatedTo);
        WriteResultTimes(o, row);
        o.String("status", row.Status);
        o.Bool("changed", row.Changed);
        o.Bool("ignore_errors", row.IgnoreErrors);
        o.Number("host", row.HostId);
        o.Number("task", row.TaskId);
        o.Number("play", row.PlayId);
        o.Number("playbook", row.PlaybookId);
        o.W.WriteEndObject();
        return o.Finish(existing is null ? 201 : 200);
    }, ct);
}

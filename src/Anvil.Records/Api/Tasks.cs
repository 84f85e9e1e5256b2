using System.Data.Common;
using Anvil.Records.Resources;
using Anvil.Records.Storage;

namespace Anvil.Records.Api;

/// <summary><c>/api/v1/tasks</c>, and the SimpleTask shape embedded in result details.</summary>
public sealed partial class RecordsApi
{
    private static readonly FieldSpec[] TaskFields =
    [
        new("tags", FieldKind.Json) { Default = "[]" },
        new("started", FieldKind.DateTime),
        new("ended", FieldKind.DateTime) { AllowNull = true },
        new("duration", FieldKind.Duration) { AllowNull = true },
        new("name", FieldKind.String) { AllowNull = true, AllowBlank = true },
        new("uuid", FieldKind.Uuid) { AllowNull = true },
        new("action", FieldKind.String) { Required = true },
        new("lineno", FieldKind.Integer) { Required = true },
        new("handler", FieldKind.Boolean) { Required = true },
        new("status", FieldKind.Choice) { Choices = RecordsResources.TaskStatuses },
        new("play", FieldKind.Reference) { Required = true, Table = "plays" },
        new("file", FieldKind.Reference) { Required = true, Table = "files" },
        new("playbook", FieldKind.Reference) { Required = true, Table = "playbooks" },
    ];

    private const string TaskColumns =
        "t.id, t.created, t.updated, t.started, t.ended, t.name, t.uuid, t.action, t.lineno, t.tags, t.handler, t.status, " +
        "t.file_id, t.play_id, t.playbook_id";

    // The task's path is its file's; its count of results is kept by triggers.
    private const string TaskExtraSql = "f.path, COALESCE(tc.results, 0)";
    private const string TaskJoins = " JOIN files f ON f.id = t.file_id LEFT JOIN task_counts tc ON tc.task_id = t.id";

    private sealed record TaskRow
    {
        public long Id { get; init; }
        public long Created { get; init; }
        public long Updated { get; init; }
        public long Started { get; init; }
        public long? Ended { get; init; }
        public string? Name { get; init; }
        public string? Uuid { get; init; }
        public string Action { get; init; } = "";
        public int Lineno { get; init; }
        public string Tags { get; init; } = "[]";
        public bool Handler { get; init; }
        public string Status { get; init; } = "unknown";
        public long FileId { get; init; }
        public long PlayId { get; init; }
        public long PlaybookId { get; init; }
    }

    private sealed record TaskView(TaskRow Row, string Path, long Results);

    private static TaskRow ReadTaskRow(DbDataReader r) => new()
    {
        Id = r.GetInt64(0),
        Created = r.GetInt64(1),
        Updated = r.GetInt64(2),
        Started = r.GetInt64(3),
        Ended = r.GetInt64OrNull(4),
        Name = r.GetStringOrNull(5),
        Uuid = r.GetStringOrNull(6),
        Action = r.GetString(7),
        Lineno = (int)r.GetLong(8),
        Tags = r.GetString(9),
        Handler = r.GetBool(10),
        Status = r.GetString(11),
        FileId = r.GetInt64(12),
        PlayId = r.GetInt64(13),
        PlaybookId = r.GetInt64(14),
    };

    private static TaskView ReadTaskView(DbDataReader r) => new(ReadTaskRow(r), r.GetString(15), r.GetInt64(16));

    private async Task<ApiResponse> ListTasksAsync(ApiRequest r, CancellationToken ct)
    {
        var (c, db) = await ReadAsync(ct).ConfigureAwait(false);
        await using (c)
        {
            var q = new ListQuery(r, db);
            q.Filter(RecordsResources.Tasks);
            q.Order(RecordsResources.Tasks);
            return await RunListAsync(r, db, q, TaskColumns + ", " + TaskExtraSql, "tasks t", TaskJoins, ReadTaskView, null, (o, t) =>
            {
                o.W.WriteStartObject();
                o.Number("id", t.Row.Id);
                WriteTaskItems(o, t);
                o.String("path", t.Path);
                o.Raw("tags", t.Row.Tags);
                o.Number("play", t.Row.PlayId);
                o.Time("created", t.Row.Created);
                o.Time("updated", t.Row.Updated);
                WriteTaskTail(o, t.Row);
                o.Number("file", t.Row.FileId);
                o.Number("playbook", t.Row.PlaybookId);
                o.W.WriteEndObject();
            }, ct).ConfigureAwait(false);
        }
    }

    private async Task<ApiResponse> TaskAsync(long id, CancellationToken ct)
    {
        var (c, db) = await ReadAsync(ct).ConfigureAwait(false);
        await using (c)
        {
            if (!(await LoadTasksAsync(db, [id], ct).ConfigureAwait(false)).TryGetValue(id, out var task))
            {
                return Replies.NotFound();
            }
            var playbook = (await LoadPlaybooksAsync(db, [task.Row.PlaybookId], ct).ConfigureAwait(false))[task.Row.PlaybookId];
            var play = (await LoadPlaysAsync(db, [task.Row.PlayId], ct).ConfigureAwait(false))[task.Row.PlayId];
            var file = (await LoadFilesAsync(db, [task.Row.FileId], withContent: false, ct).ConfigureAwait(false))[task.Row.FileId];
            using var o = new JsonOut();
            o.W.WriteStartObject();
            o.Number("id", task.Row.Id);
            WriteTaskItems(o, task);
            o.String("path", task.Path);
            o.W.WritePropertyName("playbook");
            WriteSimplePlaybook(o, playbook);
            o.W.WritePropertyName("play");
            WriteSimplePlay(o, play);
            o.W.WritePropertyName("file");
            WriteSimpleFile(o, file);
            o.Raw("tags", task.Row.Tags);
            o.Time("created", task.Row.Created);
            o.Time("updated", task.Row.Updated);
            WriteTaskTail(o, task.Row);
            o.W.WriteEndObject();
            return o.Finish(200);
        }
    }

    private static async Task<Dictionary<long, TaskView>> LoadTasksAsync(Db db, long[] ids, CancellationToken ct)
    {
        var found = new Dictionary<long, TaskView>();
        await using var reader = await db.ReaderAsync(
            $"SELECT {TaskColumns}, {TaskExtraSql} FROM tasks t{TaskJoins} WHERE {db.In("t.id", "@ids")}", new { ids }, ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            var task = ReadTaskView(reader);
            found[task.Row.Id] = task;
        }
        return found;
    }

    private static void WriteTaskItems(JsonOut o, TaskView t)
    {
        o.W.WriteStartObject("items");
        o.Number("results", t.Results);
        o.W.WriteEndObject();
    }

    /// <summary><c>started, ended, duration, name, uuid, action, lineno, handler, status</c>.</summary>
    private static void WriteTaskTail(JsonOut o, TaskRow row)
    {
        o.Time("started", row.Started);
        o.Time("ended", row.Ended);
        o.Duration(row.Started, row.Ended);
        o.String("name", row.Name);
        o.Uuid("uuid", row.Uuid);
        o.String("action", row.Action);
        o.Number("lineno", row.Lineno);
        o.Bool("handler", row.Handler);
        o.String("status", row.Status);
    }

    /// <summary>SimpleTask: <c>id, items, path, tags, started, …, status, file</c>.</summary>
    private static void WriteSimpleTask(JsonOut o, TaskView t)
    {
        o.W.WriteStartObject();
        o.Number("id", t.Row.Id);
        WriteTaskItems(o, t);
        o.String("path", t.Path);
        o.Raw("tags", t.Row.Tags);
        WriteTaskTail(o, t.Row);
        o.Number("file", t.Row.FileId);
        o.W.WriteEndObject();
    }

    private Task<ApiResponse> WriteTaskAsync(ApiRequest r, long? id, WriteMode mode, CancellationToken ct) => WriteAsync(async db =>
    {
        var existing = await ExistingRowAsync(db, id, $"SELECT {TaskColumns} FROM tasks t WHERE t.id = @i", ReadTaskRow, ct)
            .ConfigureAwait(false);
        using var body = RequestBody.Parse(r);
        var v = await WriteFields.ValidateAsync(body.Root, TaskFields, mode, db, ct).ConfigureAwait(false);
        var now = Database.NowMicros();
        var row = existing ?? new TaskRow { Created = now, Started = now };
        row = row with
        {
            Updated = now,
            Tags = v.Pick("tags", row.Tags),
            Started = v.Pick("started", row.Started),
            Ended = v.Pick("ended", row.Ended),
            Name = v.Pick("name", row.Name),
            Uuid = v.Pick("uuid", row.Uuid),
            Action = v.Pick("action", row.Action),
            Lineno = v.Pick("lineno", row.Lineno),
            Handler = v.Pick("handler", row.Handler),
            Status = v.Pick("status", row.Status),
            FileId = v.Pick("file", row.FileId),
            PlayId = v.Pick("play", row.PlayId),
            PlaybookId = v.Pick("playbook", row.PlaybookId),
        };
        if (existing is null)
        {
            row = row with
            {
                Id = await db.ScalarAsync<long>(
                    """
                    INSERT INTO tasks (created, updated, started, ended, name, uuid, action, lineno, tags, handler, status,
                        file_id, play_id, playbook_id)
                    VALUES (@Created, @Updated, @Started, @Ended, @Name, @Uuid, @Action, @Lineno, @Tags, @Handler, @Status,
                        @FileId, @PlayId, @PlaybookId)
                    RETURNING id
                    """, row, ct).ConfigureAwait(false),
            };
        }
        else
        {
            await db.ExecuteAsync(
                """
                UPDATE tasks SET updated = @Updated, started = @Started, ended = @Ended, name = @Name, uuid = @Uuid,
                    action = @Action, lineno = @Lineno, tags = @Tags, handler = @Handler, status = @Status,
                    file_id = @FileId, play_id = @PlayId, playbook_id = @PlaybookId
                WHERE id = @Id
                """, row, ct).ConfigureAwait(false);
        }
        using var o = new JsonOut();
        o.W.WriteStartObject();
        o.Number("id", row.Id);
        o.Raw("tags", row.Tags);
        o.Time("created", row.Created);
        o.Time("updated", row.Updated);
        WriteTaskTail(o, row);
        o.Number("play", row.PlayId);
        o.Number("file", row.FileId);
        o.Number("playbook", row.PlaybookId);
        o.W.WriteEndObject();
        return o.Finish(existing is null ? 201 : 200);
    }, ct);
}

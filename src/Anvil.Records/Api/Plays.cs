using System.Data.Common;
using Anvil.Records.Resources;
using Anvil.Records.Storage;

namespace Anvil.Records.Api;

/// <summary><c>/api/v1/plays</c>, and the SimplePlay shape embedded in task and result details.</summary>
public sealed partial class RecordsApi
{
    private static readonly FieldSpec[] PlayFields =
    [
        new("started", FieldKind.DateTime),
        new("ended", FieldKind.DateTime) { AllowNull = true },
        new("duration", FieldKind.Duration) { AllowNull = true },
        new("name", FieldKind.String) { AllowNull = true, AllowBlank = true },
        new("uuid", FieldKind.Uuid) { Required = true },
        new("status", FieldKind.Choice) { Choices = RecordsResources.PlayStatuses },
        new("playbook", FieldKind.Reference) { Required = true, Table = "playbooks" },
    ];

    private const string PlayColumns = "y.id, y.created, y.updated, y.started, y.ended, y.name, y.uuid, y.status, y.playbook_id";

    // Kept by triggers, like the playbooks' counts.
    private const string PlayItemsSql = "COALESCE(yc.tasks, 0), COALESCE(yc.results, 0)";
    private const string PlayItemsJoin = " LEFT JOIN play_counts yc ON yc.play_id = y.id";

    private sealed record PlayRow
    {
        public long Id { get; init; }
        public long Created { get; init; }
        public long Updated { get; init; }
        public long Started { get; init; }
        public long? Ended { get; init; }
        public string? Name { get; init; }
        public string Uuid { get; init; } = "";
        public string Status { get; init; } = "unknown";
        public long PlaybookId { get; init; }
    }

    private sealed record PlayView(PlayRow Row, long Tasks, long Results);

    private static PlayRow ReadPlayRow(DbDataReader r) => new()
    {
        Id = r.GetInt64(0),
        Created = r.GetInt64(1),
        Updated = r.GetInt64(2),
        Started = r.GetInt64(3),
        Ended = r.GetInt64OrNull(4),
        Name = r.GetStringOrNull(5),
        Uuid = r.GetString(6),
        Status = r.GetString(7),
        PlaybookId = r.GetInt64(8),
    };

    private static PlayView ReadPlayView(DbDataReader r) => new(ReadPlayRow(r), r.GetInt64(9), r.GetInt64(10));

    private async Task<ApiResponse> ListPlaysAsync(ApiRequest r, CancellationToken ct)
    {
        var (c, db) = await ReadAsync(ct).ConfigureAwait(false);
        await using (c)
        {
            var q = new ListQuery(r, db);
            q.Filter(RecordsResources.Plays);
            q.Order(RecordsResources.Plays);
            return await RunListAsync(r, db, q, PlayColumns + ", " + PlayItemsSql, "plays y", PlayItemsJoin, ReadPlayView, null, (o, p) =>
            {
                o.W.WriteStartObject();
                o.Number("id", p.Row.Id);
                WritePlayItems(o, p);
                o.Number("playbook", p.Row.PlaybookId);
                WritePlayTail(o, p.Row);
                o.W.WriteEndObject();
            }, ct).ConfigureAwait(false);
        }
    }

    private async Task<ApiResponse> PlayAsync(long id, CancellationToken ct)
    {
        var (c, db) = await ReadAsync(ct).ConfigureAwait(false);
        await using (c)
        {
            if (!(await LoadPlaysAsync(db, [id], ct).ConfigureAwait(false)).TryGetValue(id, out var play))
            {
                return Replies.NotFound();
            }
            var playbook = (await LoadPlaybooksAsync(db, [play.Row.PlaybookId], ct).ConfigureAwait(false))[play.Row.PlaybookId];
            using var o = new JsonOut();
            o.W.WriteStartObject();
            o.Number("id", play.Row.Id);
            WritePlayItems(o, play);
            o.W.WritePropertyName("playbook");
            WriteSimplePlaybook(o, playbook);
            WritePlayTail(o, play.Row);
            o.W.WriteEndObject();
            return o.Finish(200);
        }
    }

    private static async Task<Dictionary<long, PlayView>> LoadPlaysAsync(Db db, long[] ids, CancellationToken ct)
    {
        var found = new Dictionary<long, PlayView>();
        await using var reader = await db.ReaderAsync($"SELECT {PlayColumns}, {PlayItemsSql} FROM plays y{PlayItemsJoin} WHERE {db.In("y.id", "@ids")}",
            new { ids }, ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            var play = ReadPlayView(reader);
            found[play.Row.Id] = play;
        }
        return found;
    }

    private static void WritePlayItems(JsonOut o, PlayView p)
    {
        o.W.WriteStartObject("items");
        o.Number("tasks", p.Tasks);
        o.Number("results", p.Results);
        o.W.WriteEndObject();
    }

    /// <summary><c>created, updated, started, ended, duration, name, uuid, status</c>.</summary>
    private static void WritePlayTail(JsonOut o, PlayRow row)
    {
        o.Time("created", row.Created);
        o.Time("updated", row.Updated);
        o.Time("started", row.Started);
        o.Time("ended", row.Ended);
        o.Duration(row.Started, row.Ended);
        o.String("name", row.Name);
        o.Uuid("uuid", row.Uuid);
        o.String("status", row.Status);
    }

    /// <summary>SimplePlay: <c>id, items, started, ended, duration, name, status</c>.</summary>
    private static void WriteSimplePlay(JsonOut o, PlayView p)
    {
        o.W.WriteStartObject();
        o.Number("id", p.Row.Id);
        WritePlayItems(o, p);
        o.Time("started", p.Row.Started);
        o.Time("ended", p.Row.Ended);
        o.Duration(p.Row.Started, p.Row.Ended);
        o.String("name", p.Row.Name);
        o.String("status", p.Row.Status);
        o.W.WriteEndObject();
    }

    private Task<ApiResponse> WritePlayAsync(ApiRequest r, long? id, WriteMode mode, CancellationToken ct) => WriteAsync(async db =>
    {
        var existing = await ExistingRowAsync(db, id, $"SELECT {PlayColumns} FROM plays y WHERE y.id = @i", ReadPlayRow, ct)
            .ConfigureAwait(false);
        using var body = RequestBody.Parse(r);
        var v = await WriteFields.ValidateAsync(body.Root, PlayFields, mode, db, ct).ConfigureAwait(false);
        var now = Database.NowMicros();
        var row = existing ?? new PlayRow { Created = now, Started = now };
        row = row with
        {
            Updated = now,
            Started = v.Pick("started", row.Started),
            Ended = v.Pick("ended", row.Ended),
            Name = v.Pick("name", row.Name),
            Uuid = v.Pick("uuid", row.Uuid),
            Status = v.Pick("status", row.Status),
            PlaybookId = v.Pick("playbook", row.PlaybookId),
        };
        if (existing is null)
        {
            row = row with
            {
                Id = await db.ScalarAsync<long>(
                    """
                    INSERT INTO plays (created, updated, started, ended, name, uuid, status, playbook_id)
                    VALUES (@Created, @Updated, @Started, @Ended, @Name, @Uuid, @Status, @PlaybookId) RETURNING id
                    """, row, ct).ConfigureAwait(false),
            };
        }
        else
        {
            await db.ExecuteAsync(
                """
                UPDATE plays SET updated = @Updated, started = @Started, ended = @Ended, name = @Name, uuid = @Uuid,
                    status = @Status, playbook_id = @PlaybookId
                WHERE id = @Id
                """, row, ct).ConfigureAwait(false);
        }
        using var o = new JsonOut();
        o.W.WriteStartObject();
        o.Number("id", row.Id);
        WritePlayTail(o, row);
        o.Number("playbook", row.PlaybookId);
        o.W.WriteEndObject();
        return o.Finish(existing is null ? 201 : 200);
    }, ct);
}

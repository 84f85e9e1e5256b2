using System.Data.Common;
using Anvil.Records.Resources;
using Anvil.Records.Storage;

namespace Anvil.Records.Api;

/// <summary><c>/api/v1/records</c>: key/value data attached to a playbook (ara_record), one key per playbook.</summary>
public sealed partial class RecordsApi
{
    private static readonly FieldSpec[] RecordFields =
    [
        new("value", FieldKind.Json) { Default = "\"\"" },
        new("key", FieldKind.String) { Required = true, Indexed = true },
        new("type", FieldKind.String) { Required = true },
        new("playbook", FieldKind.Reference) { Required = true, Table = "playbooks" },
    ];

    private const string RecordColumns = "k.id, k.created, k.updated, k.key, k.type, k.playbook_id";

    private sealed record RecordRow
    {
        public long Id { get; init; }
        public long Created { get; init; }
        public long Updated { get; init; }
        public string Key { get; init; } = "";
        public string Type { get; init; } = "";
        public long PlaybookId { get; init; }

        /// <summary>The stored JSON value, when it was asked for.</summary>
        public string Value { get; init; } = "\"\"";
    }

    private static RecordRow ReadRecordRow(DbDataReader r) => new()
    {
        Id = r.GetInt64(0),
        Created = r.GetInt64(1),
        Updated = r.GetInt64(2),
        Key = r.GetString(3),
        Type = r.GetString(4),
        PlaybookId = r.GetInt64(5),
        Value = r.FieldCount > 6 ? r.GetString(6) : "null",
    };

    private async Task<ApiResponse> ListRecordsAsync(ApiRequest r, CancellationToken ct)
    {
        var (c, db) = await ReadAsync(ct).ConfigureAwait(false);
        await using (c)
        {
            var q = new ListQuery(r, db);
            q.Filter(RecordsResources.Records);
            q.Order(RecordsResources.Records);
            return await RunListAsync(r, db, q, RecordColumns, "records k", "", ReadRecordRow, null, (o, k) =>
            {
                o.W.WriteStartObject();
                o.Number("id", k.Id);
                o.Number("playbook", k.PlaybookId);
                o.Time("created", k.Created);
                o.Time("updated", k.Updated);
                o.String("key", k.Key);
                o.String("type", k.Type);
                o.W.WriteEndObject();
            }, ct).ConfigureAwait(false);
        }
    }

    private static async Task<RecordRow?> LoadRecordAsync(Db db, long id, CancellationToken ct)
    {
        await using var reader = await db.ReaderAsync($"SELECT {RecordColumns}, k.value FROM records k WHERE k.id = @id", new { id }, ct)
            .ConfigureAwait(false);
        return await reader.ReadAsync(ct).ConfigureAwait(false) ? ReadRecordRow(reader) : null;
    }

    private async Task<ApiResponse> RecordAsync(long id, CancellationToken ct)
    {
        var (c, db) = await ReadAsync(ct).ConfigureAwait(false);
        await using (c)
        {
            if (await LoadRecordAsync(db, id, ct).ConfigureAwait(false) is not { } record)
            {
                return Replies.NotFound();
            }
            var playbook = (await LoadPlaybooksAsync(db, [record.PlaybookId], ct).ConfigureAwait(false))[record.PlaybookId];
            using var o = new JsonOut();
            o.W.WriteStartObject();
            o.Number("id", record.Id);
            o.W.WritePropertyName("playbook");
            WriteSimplePlaybook(o, playbook);
            o.Raw("value", record.Value);
            o.Time("created", record.Created);
            o.Time("updated", record.Updated);
            o.String("key", record.Key);
            o.String("type", record.Type);
            o.W.WriteEndObject();
            return o.Finish(200);
        }
    }

    private Task<ApiResponse> WriteRecordAsync(ApiRequest r, long? id, WriteMode mode, CancellationToken ct) => WriteAsync(async db =>
    {
        var existing = id is { } i ? await LoadRecordAsync(db, i, ct).ConfigureAwait(false) ?? throw Replies.NotFoundError() : null;
        using var body = RequestBody.Parse(r);
        var v = await WriteFields.ValidateAsync(body.Root, RecordFields, mode, db, ct).ConfigureAwait(false);
        var now = Database.NowMicros();
        var row = (existing ?? new RecordRow { Created = now }) with { Updated = now };
        row = row with
        {
            Value = v.Pick("value", row.Value),
            Key = v.Pick("key", row.Key),
            Type = v.Pick("type", row.Type),
            PlaybookId = v.Pick("playbook", row.PlaybookId),
        };
        var same = await db.ScalarAsync<long?>("SELECT id FROM records WHERE key = @Key AND playbook_id = @PlaybookId", row, ct).ConfigureAwait(false);
        const string unique = "The fields key, playbook must make a unique set.";
        if (same is { } other && other != row.Id)
        {
            throw FieldErrors.One("non_field_errors", unique);
        }
        if (existing is null)
        {
            row = row with
            {
                Id = await FieldErrors.UniqueOr400(db.ScalarAsync<long>(
                    "INSERT INTO records (created, updated, key, value, type, playbook_id) VALUES (@Created, @Updated, @Key, @Value, @Type, @PlaybookId) RETURNING id",
                    row, ct), "non_field_errors", unique).ConfigureAwait(false),
            };
        }
        else
        {
            await FieldErrors.UniqueOr400(db.ExecuteAsync(
                "UPDATE records SET updated = @Updated, key = @Key, value = @Value, type = @Type, playbook_id = @PlaybookId WHERE id = @Id",
                row, ct), "non_field_errors", unique).ConfigureAwait(false);
        }
        using var o = new JsonOut();
        o.W.WriteStartObject();
        o.Number("id", row.Id);
        o.Raw("value", row.Value);
        o.Time("created", row.Created);
        o.Time("updated", row.Updated);
        o.String("key", row.Key);
        o.String("type", row.Type);
        o.Number("playbook", row.PlaybookId);
        o.W.WriteEndObject();
        return o.Finish(existing is null ? 201 : 200);
    }, ct);
}

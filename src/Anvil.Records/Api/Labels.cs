using System.Data.Common;
using Anvil.Records.Resources;
using Anvil.Records.Storage;

namespace Anvil.Records.Api;

/// <summary><c>/api/v1/labels</c>: list, detail and write shapes are all <c>id, created, updated, name</c>.</summary>
public sealed partial class RecordsApi
{
    private static readonly FieldSpec[] LabelFields = [new("name", FieldKind.String) { Required = true, Indexed = true }];

    private sealed record LabelRow(long Id, long Created, long Updated, string Name);

    private const string LabelColumns = "id, created, updated, name";
    private const string LabelExists = "label with this name already exists.";

    private static LabelRow ReadLabel(DbDataReader r) => new(r.GetInt64(0), r.GetInt64(1), r.GetInt64(2), r.GetString(3));

    private static void WriteLabel(JsonOut o, LabelRow l)
    {
        o.W.WriteStartObject();
        o.Number("id", l.Id);
        o.Time("created", l.Created);
        o.Time("updated", l.Updated);
        o.String("name", l.Name);
        o.W.WriteEndObject();
    }

    private async Task<ApiResponse> ListLabelsAsync(ApiRequest r, CancellationToken ct)
    {
        var (c, db) = await ReadAsync(ct).ConfigureAwait(false);
        await using (c)
        {
            var q = new ListQuery(r, db);
            q.Filter(RecordsResources.Labels);
            q.Order(RecordsResources.Labels);
            return await RunListAsync(r, db, q, LabelColumns, "labels", "", ReadLabel, null, WriteLabel, ct).ConfigureAwait(false);
        }
    }

    private async Task<ApiResponse> LabelAsync(long id, CancellationToken ct)
    {
        var (c, db) = await ReadAsync(ct).ConfigureAwait(false);
        await using (c)
        {
            var label = await LoadLabelAsync(db, id, ct).ConfigureAwait(false) ?? throw Replies.NotFoundError();
            using var o = new JsonOut();
            WriteLabel(o, label);
            return o.Finish(200);
        }
    }

    private static async Task<LabelRow?> LoadLabelAsync(Db db, long id, CancellationToken ct)
    {
        await using var reader = await db.ReaderAsync($"SELECT {LabelColumns} FROM labels WHERE id = @id", new { id }, ct).ConfigureAwait(false);
        return await reader.ReadAsync(ct).ConfigureAwait(false) ? ReadLabel(reader) : null;
    }

    private Task<ApiResponse> WriteLabelAsync(ApiRequest r, long? id, WriteMode mode, CancellationToken ct) => WriteAsync(async db =>
    {
        var existing = id is { } i ? await LoadLabelAsync(db, i, ct).ConfigureAwait(false) ?? throw Replies.NotFoundError() : null;
        using var body = RequestBody.Parse(r);
        var values = await WriteFields.ValidateAsync(body.Root, LabelFields, mode, db, ct).ConfigureAwait(false);
        var now = Database.NowMicros();
        var label = existing ?? new LabelRow(0, now, now, "");
        if (values.TryGetValue("name", out var name))
        {
            label = label with { Name = (string)name! };
            var other = await db.ScalarAsync<long?>("SELECT id FROM labels WHERE name = @name", new { name = label.Name }, ct).ConfigureAwait(false);
            if (other is { } otherId && otherId != label.Id)
            {
                throw FieldErrors.One("name", LabelExists);
            }
        }
        label = label with { Updated = now };
        if (existing is null)
        {
            label = label with
            {
                Id = await FieldErrors.UniqueOr400(db.ScalarAsync<long>("INSERT INTO labels (created, updated, name) VALUES (@Created, @Updated, @Name) RETURNING id",
                    label, ct), "name", LabelExists).ConfigureAwait(false),
            };
        }
        else
        {
            await FieldErrors.UniqueOr400(db.ExecuteAsync("UPDATE labels SET updated = @Updated, name = @Name WHERE id = @Id", label, ct),
                "name", LabelExists).ConfigureAwait(false);
        }
        using var o = new JsonOut();
        WriteLabel(o, label);
        return o.Finish(existing is null ? 201 : 200);
    }, ct);
}

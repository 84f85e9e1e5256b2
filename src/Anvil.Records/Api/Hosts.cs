using System.Data.Common;
using Anvil.Records.Resources;
using Anvil.Records.Storage;

namespace Anvil.Records.Api;

/// <summary><c>/api/v1/hosts</c>: one row per host name per playbook; creating one also makes it the latest host of
/// that name.</summary>
public sealed partial class RecordsApi
{
    private static readonly FieldSpec[] HostFields =
    [
        new("facts", FieldKind.Json) { Default = "{}" },
        new("name", FieldKind.String) { Required = true, Indexed = true },
        new("changed", FieldKind.Integer),
        new("failed", FieldKind.Integer),
        new("ok", FieldKind.Integer),
        new("skipped", FieldKind.Integer),
        new("unreachable", FieldKind.Integer),
        new("playbook", FieldKind.Reference) { Required = true, Table = "playbooks" },
    ];

    private const string HostColumns = "h.id, h.created, h.updated, h.name, h.changed, h.failed, h.ok, h.skipped, h.unreachable, h.playbook_id";

    private sealed record HostRow
    {
        public long Id { get; init; }
        public long Created { get; init; }
        public long Updated { get; init; }
        public string Name { get; init; } = "";
        public int Changed { get; init; }
        public int Failed { get; init; }
        public int Ok { get; init; }
        public int Skipped { get; init; }
        public int Unreachable { get; init; }
        public long PlaybookId { get; init; }

        /// <summary>The stored facts, when they were asked for.</summary>
        public string Facts { get; init; } = "{}";
    }

    /// <summary>Reads <see cref="HostColumns"/> (and facts, when selected right after them) from <paramref name="at"/>.</summary>
    private static HostRow ReadHostRow(DbDataReader r, int at = 0, bool withFacts = false) => new()
    {
        Id = r.GetInt64(at),
        Created = r.GetInt64(at + 1),
        Updated = r.GetInt64(at + 2),
        Name = r.GetString(at + 3),
        Changed = (int)r.GetLong(at + 4),
        Failed = (int)r.GetLong(at + 5),
        Ok = (int)r.GetLong(at + 6),
        Skipped = (int)r.GetLong(at + 7),
        Unreachable = (int)r.GetLong(at + 8),
        PlaybookId = r.GetInt64(at + 9),
        Facts = withFacts ? r.GetString(at + 10) : "{}",
    };

    private async Task<ApiResponse> ListHostsAsync(ApiRequest r, CancellationToken ct)
    {
        var (c, db) = await ReadAsync(ct).ConfigureAwait(false);
        await using (c)
        {
            var q = new ListQuery(r, db);
            q.Filter(RecordsResources.Hosts);
            q.Order(RecordsResources.Hosts);
            return await RunListAsync(r, db, q, HostColumns, "hosts h", "", reader => ReadHostRow(reader), null, (o, h) =>
            {
                o.W.WriteStartObject();
                o.Number("id", h.Id);
                o.Number("playbook", h.PlaybookId);
                o.Time("created", h.Created);
                o.Time("updated", h.Updated);
                WriteHostTail(o, h);
                o.W.WriteEndObject();
            }, ct).ConfigureAwait(false);
        }
    }

    private async Task<ApiResponse> HostAsync(long id, CancellationToken ct)
    {
        var (c, db) = await ReadAsync(ct).ConfigureAwait(false);
        await using (c)
        {
            if (await LoadHostAsync(db, id, ct).ConfigureAwait(false) is not { } host)
            {
                return Replies.NotFound();
            }
            var playbook = (await LoadPlaybooksAsync(db, [host.PlaybookId], ct).ConfigureAwait(false))[host.PlaybookId];
            using var o = new JsonOut();
            WriteDetailedHost(o, host, playbook);
            return o.Finish(200);
        }
    }

    private static async Task<HostRow?> LoadHostAsync(Db db, long id, CancellationToken ct)
    {
        await using var reader = await db.ReaderAsync($"SELECT {HostColumns}, h.facts FROM hosts h WHERE h.id = @id", new { id }, ct).ConfigureAwait(false);
        return await reader.ReadAsync(ct).ConfigureAwait(false) ? ReadHostRow(reader, withFacts: true) : null;
    }

    private static async Task<Dictionary<long, HostRow>> LoadHostsAsync(Db db, long[] ids, CancellationToken ct)
    {
        var found = new Dictionary<long, HostRow>();
        if (ids.Length == 0)
        {
            return found;
        }
        await using var reader = await db.ReaderAsync($"SELECT {HostColumns} FROM hosts h WHERE {db.In("h.id", "@ids")}", new { ids }, ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            var host = ReadHostRow(reader);
            found[host.Id] = host;
        }
        return found;
    }

    /// <summary>Detail: <c>id, playbook{SimplePlaybook}, facts, created, updated, name, counters</c>.</summary>
    private static void WriteDetailedHost(JsonOut o, HostRow h, PlaybookView playbook)
    {
        o.W.WriteStartObject();
        o.Number("id", h.Id);
        o.W.WritePropertyName("playbook");
        WriteSimplePlaybook(o, playbook);
        o.Raw("facts", h.Facts);
        o.Time("created", h.Created);
        o.Time("updated", h.Updated);
        WriteHostTail(o, h);
        o.W.WriteEndObject();
    }

    /// <summary>SimpleHost: <c>id, name, changed, failed, ok, skipped, unreachable</c>.</summary>
    private static void WriteSimpleHost(JsonOut o, HostRow h)
    {
        o.W.WriteStartObject();
        o.Number("id", h.Id);
        WriteHostTail(o, h);
        o.W.WriteEndObject();
    }

    private static void WriteHostTail(JsonOut o, HostRow h)
    {
        o.String("name", h.Name);
        o.Number("changed", h.Changed);
        o.Number("failed", h.Failed);
        o.Number("ok", h.Ok);
        o.Number("skipped", h.Skipped);
        o.Number("unreachable", h.Unreachable);
    }

    /// <summary>POST is get-or-create on (name, playbook): an existing host is answered as it is, with 201, and
    /// becomes the latest host of its name either way. PATCH and PUT leave latest hosts alone.</summary>
    private Task<ApiResponse> WriteHostAsync(ApiRequest r, long? id, WriteMode mode, CancellationToken ct) => WriteAsync(async db =>
    {
        var existing = id is { } i ? await LoadHostAsync(db, i, ct).ConfigureAwait(false) ?? throw Replies.NotFoundError() : null;
        using var body = RequestBody.Parse(r);
        var v = await WriteFields.ValidateAsync(body.Root, HostFields, mode, db, ct).ConfigureAwait(false);
        var now = Database.NowMicros();
        var row = (existing ?? new HostRow { Created = now }) with { Updated = now };
        row = row with
        {
            Facts = v.Pick("facts", row.Facts),
            Name = v.Pick("name", row.Name),
            Changed = v.Pick("changed", row.Changed),
            Failed = v.Pick("failed", row.Failed),
            Ok = v.Pick("ok", row.Ok),
            Skipped = v.Pick("skipped", row.Skipped),
            Unreachable = v.Pick("unreachable", row.Unreachable),
            PlaybookId = v.Pick("playbook", row.PlaybookId),
        };
        var same = await db.ScalarAsync<long?>("SELECT id FROM hosts WHERE name = @Name AND playbook_id = @PlaybookId", row, ct).ConfigureAwait(false);
        if (existing is null)
        {
            if (same is { } sameId)
            {
                row = (await LoadHostAsync(db, sameId, ct).ConfigureAwait(false))!;
            }
            else
            {
                // A concurrent POST of the same host may insert first: then this one answers that row.
                var inserted = await db.ScalarAsync<long?>(
                    """
                    INSERT INTO hosts (created, updated, name, facts, changed, failed, ok, skipped, unreachable, playbook_id)
                    VALUES (@Created, @Updated, @Name, @Facts, @Changed, @Failed, @Ok, @Skipped, @Unreachable, @PlaybookId)
                    ON CONFLICT (name, playbook_id) DO NOTHING
                    RETURNING id
                    """, row, ct).ConfigureAwait(false);
                row = inserted is { } newId
                    ? row with { Id = newId }
                    : (await LoadHostAsync(db, (await db.ScalarAsync<long>("SELECT id FROM hosts WHERE name = @Name AND playbook_id = @PlaybookId",
                        row, ct).ConfigureAwait(false)), ct).ConfigureAwait(false))!;
            }
            await db.ExecuteAsync(
                """
                INSERT INTO latest_hosts (name, host_id, created, updated) VALUES (@name, @id, @now, @now)
                ON CONFLICT (name) DO UPDATE SET host_id = excluded.host_id, updated = excluded.updated
                """, new { name = row.Name, id = row.Id, now }, ct).ConfigureAwait(false);
        }
        else
        {
            const string unique = "The fields name, playbook must make a unique set.";
            if (same is { } other && other != row.Id)
            {
                throw FieldErrors.One("non_field_errors", unique);
            }
            await FieldErrors.UniqueOr400(db.ExecuteAsync(
                """
                UPDATE hosts SET updated = @Updated, name = @Name, facts = @Facts, changed = @Changed, failed = @Failed, ok = @Ok,
                    skipped = @Skipped, unreachable = @Unreachable, playbook_id = @PlaybookId
                WHERE id = @Id
                """, row, ct), "non_field_errors", unique).ConfigureAwait(false);
        }
        using var o = new JsonOut();
        o.W.WriteStartObject();
        o.Number("id", row.Id);
        o.Raw("facts", row.Facts);
        o.Time("created", row.Created);
        o.Time("updated", row.Updated);
        WriteHostTail(o, row);
        o.Number("playbook", row.PlaybookId);
        o.W.WriteEndObject();
        return o.Finish(existing is null ? 201 : 200);
    }, ct);

    private Task<ApiResponse> DeleteHostAsync(long id, CancellationToken ct) => WriteAsync(async db =>
    {
        if (!await db.ExistsAsync("hosts", id, ct).ConfigureAwait(false))
        {
            return Replies.NotFound();
        }
        await RepointLatestHostsAsync(db, $"SELECT id FROM hosts WHERE {db.In("id", "@ids")}", $"NOT ({db.In("h.id", "@ids")})", [id], Database.NowMicros(), ct).ConfigureAwait(false);
        await db.ExecuteAsync("DELETE FROM hosts WHERE id = @id", new { id }, ct).ConfigureAwait(false);
        return Replies.NoContent();
    }, ct);
}

using System.Data.Common;
using Anvil.Records.Resources;
using Anvil.Records.Storage;

namespace Anvil.Records.Api;

/// <summary><c>/api/v1/playbooks</c>, and the SimplePlaybook shape that every detailed child object embeds.</summary>
public sealed partial class RecordsApi
{
    private static readonly FieldSpec[] PlaybookFields =
    [
        new("arguments", FieldKind.Json) { Default = "{}" },
        new("labels", FieldKind.LabelNames),
        new("started", FieldKind.DateTime),
        new("ended", FieldKind.DateTime) { AllowNull = true },
        new("duration", FieldKind.Duration) { AllowNull = true },
        new("name", FieldKind.String) { AllowNull = true },
        new("ansible_version", FieldKind.String) { Required = true },
        new("client_version", FieldKind.String) { AllowNull = true },
        new("python_version", FieldKind.String) { AllowNull = true },
        new("server_version", FieldKind.String),
        new("status", FieldKind.Choice) { Choices = RecordsResources.PlaybookStatuses },
        new("path", FieldKind.String) { Required = true },
        new("controller", FieldKind.String) { AllowNull = true },
        new("user", FieldKind.String) { AllowNull = true },
    ];

    private const string PlaybookColumns =
        "p.id, p.created, p.updated, p.started, p.ended, p.name, p.ansible_version, p.client_version, p.python_version, " +
        "p.server_version, p.status, p.arguments, p.path, p.controller, p.\"user\"";

    // The counts are kept up to date by triggers (migration 0002): read with the rows, never counted per request, so a
    // playbook with a million results costs what any other does.
    private const string PlaybookItemsSql =
        "COALESCE(pc.plays, 0), COALESCE(pc.tasks, 0), COALESCE(pc.results, 0), COALESCE(pc.hosts, 0), COALESCE(pc.files, 0), " +
        "COALESCE(pc.records, 0)";

    private const string PlaybookItemsJoin = " LEFT JOIN playbook_counts pc ON pc.playbook_id = p.id";

    /// <summary>A playbook row; property names are the SQL parameter names of its writes.</summary>
    private sealed record PlaybookRow
    {
        public long Id { get; init; }
        public long Created { get; init; }
        public long Updated { get; init; }
        public long Started { get; init; }
        public long? Ended { get; init; }
        public string? Name { get; init; }
        public string AnsibleVersion { get; init; } = "";
        public string? ClientVersion { get; init; }
        public string? PythonVersion { get; init; }
        public string ServerVersion { get; init; } = "";
        public string Status { get; init; } = "unknown";
        public string Arguments { get; init; } = "{}";
        public string Path { get; init; } = "";
        public string? Controller { get; init; }
        public string? User { get; init; }
    }

    private sealed record PlaybookItems(long Plays, long Tasks, long Results, long Hosts, long Files, long Records);

    private sealed record LabelRef(long Id, string Name);

    /// <summary>A playbook as read: the row, its counts and its labels (filled per page).</summary>
    private sealed record PlaybookView(PlaybookRow Row, PlaybookItems Items)
    {
        public List<LabelRef> Labels { get; } = [];
    }

    private static PlaybookRow ReadPlaybookRow(DbDataReader r) => new()
    {
        Id = r.GetInt64(0),
        Created = r.GetInt64(1),
        Updated = r.GetInt64(2),
        Started = r.GetInt64(3),
        Ended = r.GetInt64OrNull(4),
        Name = r.GetStringOrNull(5),
        AnsibleVersion = r.GetString(6),
        ClientVersion = r.GetStringOrNull(7),
        PythonVersion = r.GetStringOrNull(8),
        ServerVersion = r.GetString(9),
        Status = r.GetString(10),
        Arguments = r.GetString(11),
        Path = r.GetString(12),
        Controller = r.GetStringOrNull(13),
        User = r.GetStringOrNull(14),
    };

    private static PlaybookView ReadPlaybookView(DbDataReader r) => new(ReadPlaybookRow(r),
        new PlaybookItems(r.GetInt64(15), r.GetInt64(16), r.GetInt64(17), r.GetInt64(18), r.GetInt64(19), r.GetInt64(20)));

    private async Task<ApiResponse> ListPlaybooksAsync(ApiRequest r, CancellationToken ct)
    {
        var (c, db) = await ReadAsync(ct).ConfigureAwait(false);
        await using (c)
        {
            var q = new ListQuery(r, db);
            q.Filter(RecordsResources.Playbooks);
            q.Order(RecordsResources.Playbooks);
            return await RunListAsync(r, db, q, PlaybookColumns + ", " + PlaybookItemsSql, "playbooks p", PlaybookItemsJoin, ReadPlaybookView,
                rows => FillLabelsAsync(db, rows, ct), WritePlaybook, ct).ConfigureAwait(false);
        }
    }

    private async Task<ApiResponse> PlaybookAsync(long id, CancellationToken ct)
    {
        var (c, db) = await ReadAsync(ct).ConfigureAwait(false);
        await using (c)
        {
            var playbooks = await LoadPlaybooksAsync(db, [id], ct).ConfigureAwait(false);
            if (!playbooks.TryGetValue(id, out var playbook))
            {
                return Replies.NotFound();
            }
            using var o = new JsonOut();
            WritePlaybook(o, playbook);
            return o.Finish(200);
        }
    }

    /// <summary>Playbooks with their counts and labels, by id: what the detailed shapes of children embed.</summary>
    private static async Task<Dictionary<long, PlaybookView>> LoadPlaybooksAsync(Db db, long[] ids, CancellationToken ct)
    {
        var found = new Dictionary<long, PlaybookView>();
        if (ids.Length == 0)
        {
            return found;
        }
        await using (var reader = await db.ReaderAsync($"SELECT {PlaybookColumns}, {PlaybookItemsSql} FROM playbooks p{PlaybookItemsJoin} WHERE {db.In("p.id", "@ids")}",
            new { ids }, ct).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                var view = ReadPlaybookView(reader);
                found[view.Row.Id] = view;
            }
        }
        await FillLabelsAsync(db, found.Values.ToList(), ct).ConfigureAwait(false);
        return found;
    }

    /// <summary>Labels of a page of playbooks in one query, each playbook's ordered by label id as ARA does.</summary>
    private static async Task FillLabelsAsync(Db db, List<PlaybookView> playbooks, CancellationToken ct)
    {
        var byId = playbooks.ToDictionary(p => p.Row.Id);
        var labels = await LabelsOfAsync(db, byId.Keys.ToArray(), ct).ConfigureAwait(false);
        foreach (var (playbookId, label) in labels)
        {
            byId[playbookId].Labels.Add(label);
        }
    }

    private static async Task<List<(long PlaybookId, LabelRef Label)>> LabelsOfAsync(Db db, long[] ids, CancellationToken ct)
    {
        var list = new List<(long, LabelRef)>();
        await using var reader = await db.ReaderAsync(
            "SELECT pl.playbook_id, l.id, l.name FROM playbooks_labels pl JOIN labels l ON l.id = pl.label_id " +
            $"WHERE {db.In("pl.playbook_id", "@ids")} ORDER BY pl.playbook_id, pl.label_id", new { ids }, ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            list.Add((reader.GetInt64(0), new LabelRef(reader.GetInt64(1), reader.GetString(2))));
        }
        return list;
    }

    /// <summary>List item and detail: <c>id, items, arguments, labels, created, updated, started, …</c>.</summary>
    private static void WritePlaybook(JsonOut o, PlaybookView p) => WritePlaybookShape(o, p, withTimes: true);

    /// <summary>SimplePlaybook: the list shape without created and updated.</summary>
    private static void WriteSimplePlaybook(JsonOut o, PlaybookView p) => WritePlaybookShape(o, p, withTimes: false);

    private static void WritePlaybookShape(JsonOut o, PlaybookView p, bool withTimes)
    {
        var row = p.Row;
        o.W.WriteStartObject();
        o.Number("id", row.Id);
        o.W.WriteStartObject("items");
        o.Number("plays", p.Items.Plays);
        o.Number("tasks", p.Items.Tasks);
        o.Number("results", p.Items.Results);
        o.Number("hosts", p.Items.Hosts);
        o.Number("files", p.Items.Files);
        o.Number("records", p.Items.Records);
        o.W.WriteEndObject();
        o.Raw("arguments", row.Arguments);
        WriteLabelRefs(o, p.Labels);
        if (withTimes)
        {
            o.Time("created", row.Created);
            o.Time("updated", row.Updated);
        }
        WritePlaybookTail(o, row);
        o.W.WriteEndObject();
    }

    /// <summary>Write response: <c>id, arguments, labels, created, updated, started, …</c> (no items).</summary>
    private static void WritePlaybookWritten(JsonOut o, PlaybookRow row, List<LabelRef> labels)
    {
        o.W.WriteStartObject();
        o.Number("id", row.Id);
        o.Raw("arguments", row.Arguments);
        WriteLabelRefs(o, labels);
        o.Time("created", row.Created);
        o.Time("updated", row.Updated);
        WritePlaybookTail(o, row);
        o.W.WriteEndObject();
    }

    private static void WriteLabelRefs(JsonOut o, List<LabelRef> labels)
    {
        o.W.WriteStartArray("labels");
        foreach (var l in labels)
        {
            o.W.WriteStartObject();
            o.Number("id", l.Id);
            o.String("name", l.Name);
            o.W.WriteEndObject();
        }
        o.W.WriteEndArray();
    }

    private static void WritePlaybookTail(JsonOut o, PlaybookRow row)
    {
        o.Time("started", row.Started);
        o.Time("ended", row.Ended);
        o.Duration(row.Started, row.Ended);
        o.String("name", row.Name);
        o.String("ansible_version", row.AnsibleVersion);
        o.String("client_version", row.ClientVersion);
        o.String("python_version", row.PythonVersion);
        o.String("server_version", row.ServerVersion);
        o.String("status", row.Status);
        o.String("path", row.Path);
        o.String("controller", row.Controller);
        o.String("user", row.User);
    }

    private Task<ApiResponse> WritePlaybookAsync(ApiRequest r, long? id, WriteMode mode, CancellationToken ct) => WriteAsync(async db =>
    {
        var existing = await ExistingRowAsync(db, id, $"SELECT {PlaybookColumns} FROM playbooks p WHERE p.id = @i", ReadPlaybookRow, ct)
            .ConfigureAwait(false);
        using var body = RequestBody.Parse(r);
        var v = await WriteFields.ValidateAsync(body.Root, PlaybookFields, mode, db, ct).ConfigureAwait(false);
        var now = Database.NowMicros();
        var row = existing ?? new PlaybookRow
        {
            Created = now,
            Started = now,
            ServerVersion = Options.ServerVersion,
            Controller = "localhost",
        };
        row = row with
        {
            Updated = now,
            Arguments = v.Pick("arguments", row.Arguments),
            Started = v.Pick("started", row.Started),
            Ended = v.Pick("ended", row.Ended),
            Name = v.Pick("name", row.Name),
            AnsibleVersion = v.Pick("ansible_version", row.AnsibleVersion),
            ClientVersion = v.Pick("client_version", row.ClientVersion),
            PythonVersion = v.Pick("python_version", row.PythonVersion),
            ServerVersion = v.Pick("server_version", row.ServerVersion),
            Status = v.Pick("status", row.Status),
            Path = v.Pick("path", row.Path),
            Controller = v.Pick("controller", row.Controller),
            User = v.Pick("user", row.User),
        };
        if (existing is null)
        {
            row = row with
            {
                Id = await db.ScalarAsync<long>(
                    """
                    INSERT INTO playbooks (created, updated, started, ended, name, ansible_version, client_version, python_version,
                        server_version, status, arguments, path, controller, "user")
                    VALUES (@Created, @Updated, @Started, @Ended, @Name, @AnsibleVersion, @ClientVersion, @PythonVersion,
                        @ServerVersion, @Status, @Arguments, @Path, @Controller, @User)
                    RETURNING id
                    """, row, ct).ConfigureAwait(false),
            };
        }
        else
        {
            await db.ExecuteAsync(
                """
                UPDATE playbooks SET updated = @Updated, started = @Started, ended = @Ended, name = @Name,
                    ansible_version = @AnsibleVersion, client_version = @ClientVersion, python_version = @PythonVersion,
                    server_version = @ServerVersion, status = @Status, arguments = @Arguments, path = @Path,
                    controller = @Controller, "user" = @User
                WHERE id = @Id
                """, row, ct).ConfigureAwait(false);
        }
        if (v.TryGetValue("labels", out var names))
        {
            await SetLabelsAsync(db, row.Id, (List<string>)names!, now, ct).ConfigureAwait(false);
        }
        var labels = (await LabelsOfAsync(db, [row.Id], ct).ConfigureAwait(false)).Select(l => l.Label).ToList();
        using var o = new JsonOut();
        WritePlaybookWritten(o, row, labels);
        return o.Finish(existing is null ? 201 : 200);
    }, ct);

    /// <summary>Replaces a playbook's labels by these names, creating the labels that do not exist yet.</summary>
    private static async Task SetLabelsAsync(Db db, long playbookId, List<string> names, long now, CancellationToken ct)
    {
        await db.ExecuteAsync("DELETE FROM playbooks_labels WHERE playbook_id = @playbookId", new { playbookId }, ct).ConfigureAwait(false);
        foreach (var name in names.Distinct(StringComparer.Ordinal))
        {
            // Look first: an INSERT that conflicts would still use up an identity value on PostgreSQL.
            var labelId = await db.ScalarAsync<long?>("SELECT id FROM labels WHERE name = @name", new { name }, ct).ConfigureAwait(false)
                ?? await db.ScalarAsync<long?>(
                    "INSERT INTO labels (created, updated, name) VALUES (@now, @now, @name) ON CONFLICT (name) DO NOTHING RETURNING id",
                    new { now, name }, ct).ConfigureAwait(false)
                ?? await db.ScalarAsync<long>("SELECT id FROM labels WHERE name = @name", new { name }, ct).ConfigureAwait(false);
            await db.ExecuteAsync("INSERT INTO playbooks_labels (playbook_id, label_id) VALUES (@playbookId, @labelId) ON CONFLICT DO NOTHING",
                new { playbookId, labelId }, ct).ConfigureAwait(false);
        }
    }

    private Task<ApiResponse> DeletePlaybookAsync(long id, CancellationToken ct) => WriteAsync(async db =>
    {
        if (!await db.ExistsAsync("playbooks", id, ct).ConfigureAwait(false))
        {
            return Replies.NotFound();
        }
        await DeletePlaybooksAsync(db, [id], Database.NowMicros(), ct).ConfigureAwait(false);
        return Replies.NoContent();
    }, ct);

    /// <summary>
    /// Deletes playbooks with everything under them, inside the caller's transaction: the API's DELETE and the
    /// retention sweep both come here. The foreign keys cascade to plays, tasks, results, hosts, files, records,
    /// label links and run events; latest-host entries that point at these playbooks' hosts first move to the most
    /// recent other host of that name (their <c>updated</c> set to <paramref name="now"/>).
    /// </summary>
    internal static async Task DeletePlaybooksAsync(Db db, long[] ids, long now, CancellationToken ct)
    {
        await RepointLatestHostsAsync(db, $"SELECT id FROM hosts WHERE {db.In("playbook_id", "@ids")}",
            $"NOT ({db.In("h.playbook_id", "@ids")})", ids, now, ct).ConfigureAwait(false);
        await db.ExecuteAsync($"DELETE FROM playbooks WHERE {db.In("id", "@ids")}", new { ids }, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Before hosts go away: every <c>latest_hosts</c> row pointing at one of them (<paramref name="doomedHosts"/>) is
    /// re-pointed to the most recently updated remaining host of the same name (<paramref name="remaining"/>); rows
    /// with no such host are left to the foreign key's cascade. Both conditions may use <c>@ids</c>.
    /// </summary>
    private static Task RepointLatestHostsAsync(Db db, string doomedHosts, string remaining, long[] ids, long now,
        CancellationToken ct) =>
        db.ExecuteAsync(
            $"""
            UPDATE latest_hosts SET updated = @now, host_id = (
                SELECT h.id FROM hosts h WHERE h.name = latest_hosts.name AND {remaining} ORDER BY h.updated DESC, h.id DESC LIMIT 1)
            WHERE host_id IN ({doomedHosts})
              AND EXISTS (SELECT 1 FROM hosts h WHERE h.name = latest_hosts.name AND {remaining})
            """, new { ids, now }, ct);
}

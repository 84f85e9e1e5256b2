using System.Data.Common;
using System.Security.Cryptography;
using System.Text;
using Anvil.Records.Resources;
using Anvil.Records.Storage;

namespace Anvil.Records.Api;

/// <summary><c>/api/v1/files</c>: file paths of a playbook, their text kept once per SHA-1 in <c>file_contents</c>.</summary>
public sealed partial class RecordsApi
{
    private static readonly FieldSpec[] FileFields =
    [
        // ARA refuses an empty file ("may not be blank"); empty files exist, so Anvil stores them.
        new("content", FieldKind.Text) { Required = true },
        new("path", FieldKind.String) { Required = true, Indexed = true },
        new("playbook", FieldKind.Reference) { Required = true, Table = "playbooks" },
    ];

    private const string FileColumns = "f.id, f.created, f.updated, f.path, f.content_id, f.playbook_id, fc.sha1";
    private const string FileJoins = " JOIN file_contents fc ON fc.id = f.content_id";
    private const string FileUnique = "The fields path, playbook must make a unique set.";

    private sealed record FileRow
    {
        public long Id { get; init; }
        public long Created { get; init; }
        public long Updated { get; init; }
        public string Path { get; init; } = "";
        public long ContentId { get; init; }
        public long PlaybookId { get; init; }
        public string Sha1 { get; init; } = "";

        /// <summary>The text, when it was asked for.</summary>
        public string? Content { get; init; }
    }

    private static FileRow ReadFileRow(DbDataReader r) => new()
    {
        Id = r.GetInt64(0),
        Created = r.GetInt64(1),
        Updated = r.GetInt64(2),
        Path = r.GetString(3),
        ContentId = r.GetInt64(4),
        PlaybookId = r.GetInt64(5),
        Sha1 = r.GetString(6),
        Content = r.FieldCount > 7 ? r.GetString(7) : null,
    };

    private async Task<ApiResponse> ListFilesAsync(ApiRequest r, CancellationToken ct)
    {
        var (c, db) = await ReadAsync(ct).ConfigureAwait(false);
        await using (c)
        {
            var q = new ListQuery(r, db);
            q.Filter(RecordsResources.Files);
            q.Order(RecordsResources.Files);
            return await RunListAsync(r, db, q, FileColumns, "files f", FileJoins, ReadFileRow, null, (o, f) =>
            {
                o.W.WriteStartObject();
                o.Number("id", f.Id);
                o.String("sha1", f.Sha1);
                o.Number("playbook", f.PlaybookId);
                o.Time("created", f.Created);
                o.Time("updated", f.Updated);
                o.String("path", f.Path);
                o.W.WriteEndObject();
            }, ct).ConfigureAwait(false);
        }
    }

    private async Task<ApiResponse> FileAsync(long id, CancellationToken ct)
    {
        var (c, db) = await ReadAsync(ct).ConfigureAwait(false);
        await using (c)
        {
            if (!(await LoadFilesAsync(db, [id], withContent: true, ct).ConfigureAwait(false)).TryGetValue(id, out var file))
            {
                return Replies.NotFound();
            }
            var playbook = (await LoadPlaybooksAsync(db, [file.PlaybookId], ct).ConfigureAwait(false))[file.PlaybookId];
            using var o = new JsonOut();
            o.W.WriteStartObject();
            o.Number("id", file.Id);
            o.String("sha1", file.Sha1);
            o.W.WritePropertyName("playbook");
            WriteSimplePlaybook(o, playbook);
            o.String("content", file.Content);
            o.Time("created", file.Created);
            o.Time("updated", file.Updated);
            o.String("path", file.Path);
            o.W.WriteEndObject();
            return o.Finish(200);
        }
    }

    private static async Task<Dictionary<long, FileRow>> LoadFilesAsync(Db db, long[] ids, bool withContent, CancellationToken ct)
    {
        var found = new Dictionary<long, FileRow>();
        await using var reader = await db.ReaderAsync(
            $"SELECT {FileColumns}{(withContent ? ", fc.contents" : "")} FROM files f{FileJoins} WHERE {db.In("f.id", "@ids")}",
            new { ids }, ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            var file = ReadFileRow(reader);
            found[file.Id] = file;
        }
        return found;
    }

    /// <summary>SimpleFile: <c>id, sha1, path</c>.</summary>
    private static void WriteSimpleFile(JsonOut o, FileRow f)
    {
        o.W.WriteStartObject();
        o.Number("id", f.Id);
        o.String("sha1", f.Sha1);
        o.String("path", f.Path);
        o.W.WriteEndObject();
    }

    /// <summary>
    /// POST is get-or-create on (path, playbook): the same content answers the existing row. ARA answers a 500 when
    /// the content differs (its unique constraint fires); Anvil updates the file to the new content instead and
    /// answers it with 201, so a re-sent, edited file is simply recorded.
    /// </summary>
    private Task<ApiResponse> WriteFileAsync(ApiRequest r, long? id, WriteMode mode, CancellationToken ct) => WriteAsync(async db =>
    {
        FileRow? existing = null;
        if (id is { } i)
        {
            existing = (await LoadFilesAsync(db, [i], withContent: true, ct).ConfigureAwait(false)).GetValueOrDefault(i)
                ?? throw Replies.NotFoundError();
        }
        using var body = RequestBody.Parse(r);
        var v = await WriteFields.ValidateAsync(body.Root, FileFields, mode, db, ct).ConfigureAwait(false);
        var now = Database.NowMicros();
        var row = existing ?? new FileRow { Created = now };
        row = row with
        {
            Path = v.Pick("path", row.Path),
            PlaybookId = v.Pick("playbook", row.PlaybookId),
        };
        if (v.TryGetValue("content", out var content))
        {
            var (contentId, sha1) = await StoreContentAsync(db, (string)content!, now, ct).ConfigureAwait(false);
            row = row with { ContentId = contentId, Sha1 = sha1, Content = (string)content! };
        }
        var same = (await db.ScalarAsync<long?>("SELECT id FROM files WHERE path = @Path AND playbook_id = @PlaybookId", row, ct)
            .ConfigureAwait(false));
        if (existing is null && same is { } sameId)
        {
            var found = (await LoadFilesAsync(db, [sameId], withContent: true, ct).ConfigureAwait(false))[sameId];
            if (found.ContentId == row.ContentId)
            {
                return WrittenFile(found, 201);
            }
            existing = found;
            row = found with { ContentId = row.ContentId, Sha1 = row.Sha1, Content = row.Content };
        }
        else if (same is { } other && other != row.Id)
        {
            throw FieldErrors.One("non_field_errors", FileUnique);
        }
        row = row with { Updated = now };
        if (existing is null)
        {
            row = row with
            {
                Id = await FieldErrors.UniqueOr400(db.ScalarAsync<long>(
                    "INSERT INTO files (created, updated, path, content_id, playbook_id) VALUES (@Created, @Updated, @Path, @ContentId, @PlaybookId) RETURNING id",
                    row, ct), "non_field_errors", FileUnique).ConfigureAwait(false),
            };
            return WrittenFile(row, 201);
        }
        await FieldErrors.UniqueOr400(db.ExecuteAsync(
            "UPDATE files SET updated = @Updated, path = @Path, content_id = @ContentId, playbook_id = @PlaybookId WHERE id = @Id",
            row, ct), "non_field_errors", FileUnique).ConfigureAwait(false);
        return WrittenFile(row, id is null ? 201 : 200);
    }, ct);

    /// <summary>Write response: <c>id, sha1, content, created, updated, path, playbook</c>.</summary>
    private static ApiResponse WrittenFile(FileRow f, int status)
    {
        using var o = new JsonOut();
        o.W.WriteStartObject();
        o.Number("id", f.Id);
        o.String("sha1", f.Sha1);
        o.String("content", f.Content);
        o.Time("created", f.Created);
        o.Time("updated", f.Updated);
        o.String("path", f.Path);
        o.Number("playbook", f.PlaybookId);
        o.W.WriteEndObject();
        return o.Finish(status);
    }

    /// <summary>Gets or creates the <c>file_contents</c> row of a text, keyed by the SHA-1 of its UTF-8 bytes.</summary>
    private static async Task<(long Id, string Sha1)> StoreContentAsync(Db db, string text, long now, CancellationToken ct)
    {
        var sha1 = Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes(text)));
        var id = await db.ScalarAsync<long?>("SELECT id FROM file_contents WHERE sha1 = @sha1", new { sha1 }, ct).ConfigureAwait(false)
            ?? await db.ScalarAsync<long?>(
                "INSERT INTO file_contents (created, updated, sha1, contents) VALUES (@now, @now, @sha1, @text) ON CONFLICT (sha1) DO NOTHING RETURNING id",
                new { now, sha1, text }, ct).ConfigureAwait(false)
            ?? await db.ScalarAsync<long>("SELECT id FROM file_contents WHERE sha1 = @sha1", new { sha1 }, ct).ConfigureAwait(false);
        return (id, sha1);
    }
}

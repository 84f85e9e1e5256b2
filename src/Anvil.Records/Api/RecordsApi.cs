using System.Data.Common;
using System.Globalization;
using Anvil.Records.Ingest;
using Anvil.Records.Resources;
using Anvil.Records.Storage;

namespace Anvil.Records.Api;

/// <summary>
/// The ARA-compatible records API (<c>/api/</c>, <c>/api/v1/…</c>), independent of HTTP. Routing and the shared list
/// machinery live here; each resource is in its own file. Differences from ARA 1.7.4 are listed in
/// <c>docs/records-api.md</c>.
/// </summary>
public sealed partial class RecordsApi(AnvilDatabase db, RecordsApiOptions? options = null) : IRecordsTransport
{
    private const string V1 = "/api/v1/";
    private const string ListMethods = "GET, POST, HEAD, OPTIONS";
    private const string DetailMethods = "GET, PUT, PATCH, DELETE, HEAD, OPTIONS";
    private const string ReadMethods = "GET, HEAD, OPTIONS";

    /// <summary>The database the API reads and writes.</summary>
    public AnvilDatabase Database { get; } = db;
    /// <summary>The API's settings (defaults when none were given).</summary>
    public RecordsApiOptions Options { get; } = options ?? new RecordsApiOptions();

    /// <summary>Sees the SQL of every read and lookup with its arguments; for tests.</summary>
    internal Action<string, object?>? QueryObserver { get; set; }

    private readonly ResponseCache _cache = new((options ?? new RecordsApiOptions()).ResponseCacheBytes);

    /// <inheritdoc/>
    public async Task<ApiResponse> SendAsync(ApiRequest request, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Method is not ("GET" or "HEAD") || Options.ResponseCacheBytes <= 0 ||
            Database.ChangeStamp() is not { } stamp)
        {
            return await AnswerAsync(request, ct).ConfigureAwait(false);
        }
        var key = ResponseCache.KeyOf(request);
        if (_cache.TryGet(key, stamp, out var cached))
        {
            return cached;
        }
        var response = await AnswerAsync(request, ct).ConfigureAwait(false);
        if (response.Status == 200)
        {
            _cache.Add(key, stamp, response);
        }
        return response;
    }

    private async Task<ApiResponse> AnswerAsync(ApiRequest request, CancellationToken ct)
    {
        if (request.Path.StartsWith("/api/v1/anvil/", StringComparison.Ordinal))
        {
            return await AnvilExtensions.SendAsync(this, request, ct).ConfigureAwait(false);
        }
        try
        {
            return await RouteAsync(request, ct).ConfigureAwait(false);
        }
        catch (ApiException e)
        {
            return e.Response;
        }
    }

    private async Task<ApiResponse> RouteAsync(ApiRequest r, CancellationToken ct)
    {
        // DRF answers 404 for a format it has no renderer for; JSON is the only one here.
        if (r.Value("format") is { } format && format != "json")
        {
            return Replies.NotFound();
        }
        switch (r.Path)
        {
            case "/api/" or "/api":
                return RootView(r, "Api Index", () => IndexReply(r));
            case V1 or "/api/v1":
                return RootView(r, "Api Root", () => RouterReply(r));
        }
        if (!r.Path.StartsWith(V1, StringComparison.Ordinal))
        {
            return Replies.NotFound();
        }
        var rest = r.Path[V1.Length..];
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        var name = StripFormat(slash < 0 ? rest : rest[..slash]);
        if (name is null || RecordsResources.Find(name) is not { } resource)
        {
            return Replies.NotFound();
        }
        var readOnly = resource.ReadOnly;
        if (slash < 0)
        {
            return r.Method switch
            {
                "GET" or "HEAD" => await ListAsync(name, r, ct).ConfigureAwait(false),
                "POST" when !readOnly => await CreateAsync(name, r, ct).ConfigureAwait(false),
                "OPTIONS" => Metadata(resource.Title + " List"),
                _ => Replies.MethodNotAllowed(r.Method, readOnly ? ReadMethods : ListMethods),
            };
        }
        // One path segment after the resource: the key, optionally with a ".json" suffix. No trailing slash.
        var key = rest[(slash + 1)..];
        if (key.Length == 0 || key.Contains('/', StringComparison.Ordinal))
        {
            return Replies.NotFound();
        }
        if (readOnly)
        {
            var hostName = key.EndsWith(".json", StringComparison.Ordinal) ? key[..^5] : key;
            if (hostName.Contains('\0', StringComparison.Ordinal))
            {
                return Replies.NotFound(); // no host name has one, and PostgreSQL cannot compare it
            }
            return r.Method switch
            {
                "GET" or "HEAD" => await LatestHostAsync(hostName, ct).ConfigureAwait(false),
                "OPTIONS" => Metadata(resource.Title + " Instance"),
                _ => Replies.MethodNotAllowed(r.Method, ReadMethods),
            };
        }
        if (r.Method is not ("GET" or "HEAD" or "PUT" or "PATCH" or "DELETE" or "OPTIONS"))
        {
            return Replies.MethodNotAllowed(r.Method, DetailMethods);
        }
        if (r.Method == "OPTIONS")
        {
            return Metadata(resource.Title + " Instance");
        }
        // ARA's lookup pattern is [^/.]+ (plus an optional format suffix); a non-numeric key matches it and is
        // simply not found.
        if (StripFormat(key) is not { } pk || !long.TryParse(pk, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
        {
            return Replies.NotFound();
        }
        return r.Method switch
        {
            "GET" or "HEAD" => await DetailAsync(name, id, ct).ConfigureAwait(false),
            "PUT" => await UpdateAsync(name, r, id, WriteMode.Replace, ct).ConfigureAwait(false),
            "PATCH" => await UpdateAsync(name, r, id, WriteMode.Patch, ct).ConfigureAwait(false),
            _ => await DeleteAsync(name, id, ct).ConfigureAwait(false),
        };
    }

    /// <summary>The row a PUT or PATCH changes (null for a POST); an id that is not there answers 404.
    /// <paramref name="sql"/> selects by <c>@i</c>.</summary>
    private static async Task<T?> ExistingRowAsync<T>(Db db, long? id, string sql, Func<DbDataReader, T> read,
        CancellationToken ct) where T : class
    {
        if (id is not { } i)
        {
            return null;
        }
        await using var reader = await db.ReaderAsync(sql, new { i }, ct).ConfigureAwait(false);
        return await reader.ReadAsync(ct).ConfigureAwait(false) ? read(reader) : throw Replies.NotFoundError();
    }

    /// <summary>A path segment without its <c>.json</c> format suffix; null when it has another suffix.</summary>
    private static string? StripFormat(string segment)
    {
        var dot = segment.IndexOf('.', StringComparison.Ordinal);
        if (dot < 0)
        {
            return segment;
        }
        return segment.AsSpan(dot) is ".json" ? segment[..dot] : null;
    }

    private Task<ApiResponse> ListAsync(string resource, ApiRequest r, CancellationToken ct) => resource switch
    {
        "labels" => ListLabelsAsync(r, ct),
        "playbooks" => ListPlaybooksAsync(r, ct),
        "plays" => ListPlaysAsync(r, ct),
        "tasks" => ListTasksAsync(r, ct),
        "hosts" => ListHostsAsync(r, ct),
        "latesthosts" => ListLatestHostsAsync(r, ct),
        "results" => ListResultsAsync(r, ct),
        "files" => ListFilesAsync(r, ct),
        _ => ListRecordsAsync(r, ct),
    };

    private Task<ApiResponse> DetailAsync(string resource, long id, CancellationToken ct) => resource switch
    {
        "labels" => LabelAsync(id, ct),
        "playbooks" => PlaybookAsync(id, ct),
        "plays" => PlayAsync(id, ct),
        "tasks" => TaskAsync(id, ct),
        "hosts" => HostAsync(id, ct),
        "results" => ResultAsync(id, ct),
        "files" => FileAsync(id, ct),
        _ => RecordAsync(id, ct),
    };

    private Task<ApiResponse> CreateAsync(string resource, ApiRequest r, CancellationToken ct) => resource switch
    {
        "labels" => WriteLabelAsync(r, null, WriteMode.Create, ct),
        "playbooks" => WritePlaybookAsync(r, null, WriteMode.Create, ct),
        "plays" => WritePlayAsync(r, null, WriteMode.Create, ct),
        "tasks" => WriteTaskAsync(r, null, WriteMode.Create, ct),
        "hosts" => WriteHostAsync(r, null, WriteMode.Create, ct),
        "results" => WriteResultAsync(r, null, WriteMode.Create, ct),
        "files" => WriteFileAsync(r, null, WriteMode.Create, ct),
        _ => WriteRecordAsync(r, null, WriteMode.Create, ct),
    };

    private Task<ApiResponse> UpdateAsync(string resource, ApiRequest r, long id, WriteMode mode, CancellationToken ct) => resource switch
    {
        "labels" => WriteLabelAsync(r, id, mode, ct),
        "playbooks" => WritePlaybookAsync(r, id, mode, ct),
        "plays" => WritePlayAsync(r, id, mode, ct),
        "tasks" => WriteTaskAsync(r, id, mode, ct),
        "hosts" => WriteHostAsync(r, id, mode, ct),
        "results" => WriteResultAsync(r, id, mode, ct),
        "files" => WriteFileAsync(r, id, mode, ct),
        _ => WriteRecordAsync(r, id, mode, ct),
    };

    private Task<ApiResponse> DeleteAsync(string resource, long id, CancellationToken ct) => resource switch
    {
        "playbooks" => DeletePlaybookAsync(id, ct),
        "hosts" => DeleteHostAsync(id, ct),
        // The others have no side effects beyond the foreign keys' cascades.
        _ => DeleteRowAsync(resource, id, ct),
    };

    private async Task<ApiResponse> DeleteRowAsync(string table, long id, CancellationToken ct)
    {
        var deleted = await Database.WriteAsync(async (c, tx) =>
            await new Db(c, tx, Database.Dialect).ExecuteAsync($"DELETE FROM {table} WHERE id = @id", new { id }, ct).ConfigureAwait(false),
            ct).ConfigureAwait(false);
        return deleted == 0 ? Replies.NotFound() : Replies.NoContent();
    }

    private static ApiResponse RootView(ApiRequest r, string name, Func<ApiResponse> get) => r.Method switch
    {
        "GET" or "HEAD" => get(),
        "OPTIONS" => Metadata(name),
        _ => Replies.MethodNotAllowed(r.Method, ReadMethods),
    };

    private ApiResponse IndexReply(ApiRequest r)
    {
        using var o = new JsonOut();
        o.W.WriteStartObject();
        o.String("kind", "ara");
        o.String("version", Options.ServerVersion);
        o.W.WriteStartArray("api");
        o.Value(r.BaseUrl + V1);
        o.W.WriteEndArray();
        o.W.WriteEndObject();
        return o.Finish(200);
    }

    private static ApiResponse RouterReply(ApiRequest r)
    {
        using var o = new JsonOut();
        o.W.WriteStartObject();
        foreach (var resource in RecordsResources.All)
        {
            o.String(resource.Name, r.BaseUrl + V1 + resource.Name);
        }
        o.W.WriteEndObject();
        return o.Finish(200);
    }

    /// <summary>DRF's OPTIONS answer, without the optional <c>actions</c> form description.</summary>
    private static ApiResponse Metadata(string name)
    {
        using var o = new JsonOut();
        o.W.WriteStartObject();
        o.String("name", name);
        o.String("description", "");
        o.W.WriteStartArray("renders");
        o.Value("application/json");
        o.W.WriteEndArray();
        o.W.WriteStartArray("parses");
        o.Value("application/json");
        o.W.WriteEndArray();
        o.W.WriteEndObject();
        return o.Finish(200);
    }

    /// <summary>Opens a read connection.</summary>
    private async Task<(DbConnection Connection, Db Db)> ReadAsync(CancellationToken ct)
    {
        var c = await Database.OpenConnectionAsync(ct).ConfigureAwait(false);
        return (c, new Db(c, null, Database.Dialect) { Observer = QueryObserver });
    }

    /// <summary>
    /// Runs a list request: one query for the page (counts and small relations as subqueries), a COUNT only when the
    /// page does not already tell the total, then <paramref name="enrich"/> for per-page relations (one query
    /// each), then the envelope <c>{"count","next","previous","results"}</c>. <paramref name="from"/> is what the
    /// filters refer to (so the count needs nothing else); <paramref name="joins"/> serve the selected columns only.
    /// </summary>
    private async Task<ApiResponse> RunListAsync<T>(ApiRequest r, Db db, ListQuery q, string select, string from, string joins,
        Func<DbDataReader, T> map, Func<List<T>, Task>? enrich, Action<JsonOut, T> write, CancellationToken ct)
    {
        q.Errors.ThrowIfAny();
        var page = Page.Read(r, Options);
        q.Args.Add("page_limit", page.Limit);
        q.Args.Add("page_offset", page.Offset);
        var rows = new List<T>(Math.Min(page.Limit, 1000));
        await using (var reader = await db.ReaderAsync(
            $"SELECT {select} FROM {from}{joins}{q.WhereSql} ORDER BY {q.OrderSql} LIMIT @page_limit OFFSET @page_offset", q.Args, ct).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                rows.Add(map(reader));
            }
        }
        long count;
        if (rows.Count > 0 && rows.Count < page.Limit || rows.Count == 0 && page.Offset == 0)
        {
            count = page.Offset + rows.Count;
        }
        else
        {
            count = await db.ScalarAsync<long>($"SELECT COUNT(*) FROM {from}{q.WhereSql}", q.Args, ct).ConfigureAwait(false);
        }
        if (enrich is not null && rows.Count > 0)
        {
            await enrich(rows).ConfigureAwait(false);
        }
        using var o = new JsonOut();
        o.W.WriteStartObject();
        o.Number("count", count);
        o.String("next", page.Next(r, count));
        o.String("previous", page.Previous(r));
        o.W.WriteStartArray("results");
        foreach (var row in rows)
        {
            write(o, row);
        }
        o.W.WriteEndArray();
        o.W.WriteEndObject();
        return o.Finish(200);
    }

    /// <summary>Runs a write in a transaction (serialised on SQLite); validation errors roll it back.</summary>
    private Task<ApiResponse> WriteAsync(Func<Db, Task<ApiResponse>> work, CancellationToken ct) =>
        Database.WriteAsync((c, tx) => work(new Db(c, tx, Database.Dialect) { Observer = QueryObserver }), ct);

    /// <summary>Ids for an IN list (Dapper expands the list into one parameter per id).</summary>
    private static long[] Ids<T>(IEnumerable<T> rows, Func<T, long> id) => rows.Select(id).Distinct().ToArray();
}

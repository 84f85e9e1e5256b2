using Anvil.Data;
using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using Anvil.Records.Api;
using Anvil.Records.Resources;
using Anvil.Records.Storage;

namespace Anvil.Records.Views;

/// <summary>
/// Read-only queries for the web UI. They read the same tables as the API and reuse its pieces where the UI asks the
/// same question: the playbook filters and orders (<see cref="RecordsApi"/>'s, through <see cref="ListQuery"/>), the
/// result status rule (<see cref="ResultStatus"/>) and the trigger-kept counts. Every list is paged and every query
/// walks an index, so a page costs the same with ten results or a million.
/// </summary>
public sealed class RecordsViews(AnvilDatabase database)
{
    private const string SummaryColumns =
        "p.id, p.status, p.name, p.path, p.ansible_version, p.controller, p.\"user\", p.started, p.ended, " +
        "COALESCE(pc.plays, 0), COALESCE(pc.tasks, 0), COALESCE(pc.results, 0), COALESCE(pc.hosts, 0), " +
        "COALESCE(pc.files, 0), COALESCE(pc.records, 0)";

    private const string SummaryFrom = "playbooks p LEFT JOIN playbook_counts pc ON pc.playbook_id = p.id";

    private const string ResultColumns =
        "r.id, r.status, r.changed, r.ignore_errors, r.started, r.ended, r.host_id, h.name, r.task_id, t.name, t.action, " +
        "t.file_id, t.lineno, r.playbook_id, f.path";

    private const string ResultFrom =
        "results r JOIN hosts h ON h.id = r.host_id JOIN tasks t ON t.id = r.task_id JOIN files f ON f.id = t.file_id";

    private const string TaskColumns =
        "t.id, t.name, t.action, t.status, t.started, t.ended, t.file_id, f.path, t.lineno, t.handler, t.tags, t.play_id, " +
        "COALESCE(tc.results, 0)";

    private const string TaskFrom = "tasks t JOIN files f ON f.id = t.file_id LEFT JOIN task_counts tc ON tc.task_id = t.id";

    /// <summary>The database the views read.</summary>
    public AnvilDatabase Database { get; } = database;

    /// <summary>
    /// A page of playbooks. <paramref name="query"/> takes the API's playbook filters and <c>order</c> (same names,
    /// same rules), <c>limit</c>/<c>offset</c> or <c>page</c>, and <c>q</c>: words searched in names, paths and labels.
    /// Invalid filters are answered as <see cref="PlaybookListing.Errors"/> with an empty page.
    /// </summary>
    public async Task<PlaybookListing> PlaybooksAsync(IReadOnlyList<KeyValuePair<string, string>> query, int pageSize,
        int maxPageSize, CancellationToken ct = default)
    {
        var request = new ApiRequest("GET", "/", query, default, "");
        var page = Page.Read(request, new RecordsApiOptions { PageSize = pageSize, MaxPageSize = maxPageSize });
        if (request.Value("offset") is null && request.Value("page") is { } p &&
            long.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number > 1)
        {
            page = page with { Offset = Math.Min(number - 1, long.MaxValue / 4 / page.Limit) * page.Limit };
        }
        await using var c = await Database.OpenConnectionAsync(ct).ConfigureAwait(false);
        var db = new Db(c, null, Database.Dialect);
        var q = new ListQuery(request, db);
        q.Filter(RecordsResources.Playbooks);
        if (q.Text("q") is { } search)
        {
            q.Where($"({q.ContainsSql("p.name", search)} OR {q.ContainsSql("p.path", search)} OR EXISTS (SELECT 1 FROM " +
                "playbooks_labels pl JOIN labels l ON l.id = pl.label_id WHERE pl.playbook_id = p.id AND " +
                $"{q.ContainsSql("l.name", search)}))");
        }
        // Newest first, as ARA's UI does; ix_playbooks_started serves it.
        q.Order(RecordsResources.Playbooks, "p.started DESC, p.id DESC");
        if (q.Errors.Any)
        {
            return new PlaybookListing(new Paged<PlaybookSummary>([], 0, page.Limit, 0), q.Errors.Lines().ToList());
        }
        q.Args.Add("page_limit", page.Limit);
        q.Args.Add("page_offset", page.Offset);
        var items = new List<PlaybookSummary>();
        await using (var reader = await db.ReaderAsync(
            $"SELECT {SummaryColumns} FROM {SummaryFrom}{q.WhereSql} ORDER BY {q.OrderSql} LIMIT @page_limit OFFSET @page_offset",
            q.Args, ct).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                items.Add(ReadSummary(reader));
            }
        }
        // A partial page tells the total; otherwise count (the filters only refer to p).
        var total = items.Count > 0 && items.Count < page.Limit || items.Count == 0 && page.Offset == 0
            ? page.Offset + items.Count
            : await db.ScalarAsync<long>($"SELECT COUNT(*) FROM playbooks p{q.WhereSql}", q.Args, ct).ConfigureAwait(false);
        items = await WithLabelsAsync(db, items, ct).ConfigureAwait(false);
        return new PlaybookListing(new Paged<PlaybookSummary>(items, total, page.Limit, page.Offset), []);
    }

    /// <summary>The ids of every playbook the filters select (no paging), newest first: what an export covers.</summary>
    public async Task<(IReadOnlyList<long> Ids, IReadOnlyList<string> Errors)> SelectPlaybooksAsync(
        IReadOnlyList<KeyValuePair<string, string>> query, CancellationToken ct = default)
    {
        await using var c = await Database.OpenConnectionAsync(ct).ConfigureAwait(false);
        var db = new Db(c, null, Database.Dialect);
        var q = new ListQuery(new ApiRequest("GET", "/", query, default, ""), db);
        q.Filter(RecordsResources.Playbooks);
        if (q.Errors.Any)
        {
            return ([], q.Errors.Lines().ToList());
        }
        var ids = new List<long>();
        await using var reader = await db.ReaderAsync($"SELECT p.id FROM playbooks p{q.WhereSql} ORDER BY p.started DESC, p.id DESC",
            q.Args, ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            ids.Add(reader.GetInt64(0));
        }
        return (ids, []);
    }

    /// <summary>The given playbooks (those that exist), newest first.</summary>
    public async Task<IReadOnlyList<PlaybookSummary>> PlaybooksByIdAsync(IReadOnlyCollection<long> ids, CancellationToken ct = default)
    {
        await using var c = await Database.OpenConnectionAsync(ct).ConfigureAwait(false);
        var db = new Db(c, null, Database.Dialect);
        var items = new List<PlaybookSummary>();
        foreach (var chunk in ids.Distinct().Chunk(500))
        {
            await using var reader = await db.ReaderAsync($"SELECT {SummaryColumns} FROM {SummaryFrom} WHERE {db.In("p.id", "@ids")}",
                new { ids = chunk }, ct).ConfigureAwait(false);
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                items.Add(ReadSummary(reader));
            }
        }
        items = await WithLabelsAsync(db, items, ct).ConfigureAwait(false);
        return items.OrderByDescending(p => p.Started).ThenByDescending(p => p.Id).ToList();
    }

    /// <summary>The playbook page's header; null when there is no playbook <paramref name="id"/>.</summary>
    public async Task<PlaybookDetail?> PlaybookAsync(long id, CancellationToken ct = default)
    {
        await using var c = await Database.OpenConnectionAsync(ct).ConfigureAwait(false);
        var db = new Db(c, null, Database.Dialect);
        PlaybookSummary summary;
        string arguments;
        string? python, client;
        string server;
        await using (var reader = await db.ReaderAsync(
            $"SELECT {SummaryColumns}, p.arguments, p.python_version, p.client_version, p.server_version FROM {SummaryFrom} WHERE p.id = @id",
            new { id }, ct).ConfigureAwait(false))
        {
            if (!await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                return null;
            }
            summary = ReadSummary(reader);
            arguments = reader.GetString(15);
            python = reader.GetStringOrNull(16);
            client = reader.GetStringOrNull(17);
            server = reader.GetString(18);
        }
        summary = (await WithLabelsAsync(db, [summary], ct).ConfigureAwait(false))[0];
        var events = await db.ScalarAsync<long>("SELECT COUNT(*) FROM run_events WHERE playbook_id = @id", new { id }, ct).ConfigureAwait(false);
        return new PlaybookDetail(summary, arguments, python, client, server, events);
    }

    /// <summary>A playbook's plays in execution order, at most <paramref name="limit"/>.</summary>
    public async Task<IReadOnlyList<PlayItem>> PlaysAsync(long playbookId, int limit, CancellationToken ct = default)
    {
        await using var c = await Database.OpenConnectionAsync(ct).ConfigureAwait(false);
        var db = new Db(c, null, Database.Dialect);
        var plays = new List<PlayItem>();
        await using var reader = await db.ReaderAsync(
            "SELECT y.id, y.name, y.status, y.started, y.ended, COALESCE(yc.tasks, 0), COALESCE(yc.results, 0) " +
            "FROM plays y LEFT JOIN play_counts yc ON yc.play_id = y.id WHERE y.playbook_id = @playbookId ORDER BY y.id LIMIT @limit",
            new { playbookId, limit }, ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            plays.Add(new PlayItem(reader.GetInt64(0), reader.GetStringOrNull(1), reader.GetString(2), reader.GetInt64(3),
                reader.GetInt64OrNull(4), reader.GetInt64(5), reader.GetInt64(6)));
        }
        return plays;
    }

    /// <summary>A page of a playbook's tasks in the order they started.</summary>
    public async Task<Paged<TaskItem>> TasksAsync(long playbookId, int limit, long offset, CancellationToken ct = default)
    {
        await using var c = await Database.OpenConnectionAsync(ct).ConfigureAwait(false);
        var db = new Db(c, null, Database.Dialect);
        var tasks = new List<TaskItem>();
        await using (var reader = await db.ReaderAsync(
            $"SELECT {TaskColumns} FROM {TaskFrom} WHERE t.playbook_id = @playbookId ORDER BY t.id LIMIT @limit OFFSET @offset",
            new { playbookId, limit, offset }, ct).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                tasks.Add(ReadTask(reader));
            }
        }
        var total = await db.ScalarAsync<long>("SELECT COALESCE(tasks, 0) FROM playbook_counts WHERE playbook_id = @playbookId",
            new { playbookId }, ct).ConfigureAwait(false);
        return new Paged<TaskItem>(tasks, Math.Max(total, offset + tasks.Count), limit, offset);
    }

    /// <summary>
    /// A playbook's hosts by name with their counters. While the playbook runs there is no recap yet, so the counters
    /// are counted from its results (<paramref name="fromResults"/>); otherwise they are the recap's.
    /// </summary>
    public async Task<Paged<HostStats>> HostsAsync(long playbookId, bool fromResults, int limit, long offset = 0,
        CancellationToken ct = default)
    {
        await using var c = await Database.OpenConnectionAsync(ct).ConfigureAwait(false);
        var db = new Db(c, null, Database.Dialect);
        var hosts = new List<HostStats>();
        await using (var reader = await db.ReaderAsync(
            "SELECT h.id, h.name, h.ok, h.changed, h.failed, h.skipped, h.unreachable, h.rescued FROM hosts h " +
            "WHERE h.playbook_id = @playbookId ORDER BY h.name, h.id LIMIT @limit OFFSET @offset", new { playbookId, limit, offset }, ct)
            .ConfigureAwait(false))
        {
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                hosts.Add(new HostStats(reader.GetInt64(0), reader.GetString(1), (int)reader.GetLong(2), (int)reader.GetLong(3),
                    (int)reader.GetLong(4), (int)reader.GetLong(5), (int)reader.GetLong(6), 0, (int)reader.GetLong(7)));
            }
        }
        var total = await db.ScalarAsync<long>("SELECT COALESCE(hosts, 0) FROM playbook_counts WHERE playbook_id = @playbookId",
            new { playbookId }, ct).ConfigureAwait(false);
        if (hosts.Count == 0)
        {
            return new Paged<HostStats>(hosts, total, limit, offset);
        }
        var counted = await CountByHostAsync(db, playbookId, hosts.Select(h => h.Id).ToArray(), all: fromResults, ct).ConfigureAwait(false);
        for (var i = 0; i < hosts.Count; i++)
        {
            var h = hosts[i];
            counted.TryGetValue(h.Id, out var n);
            hosts[i] = fromResults
                ? h with { Ok = n.Ok, Changed = n.Changed, Failed = n.Failed, Skipped = n.Skipped, Unreachable = n.Unreachable, Ignored = n.Ignored }
                : h with { Ignored = n.Ignored };
        }
        return new Paged<HostStats>(hosts, Math.Max(total, offset + hosts.Count), limit, offset);
    }

    private readonly record struct Counters(int Ok, int Changed, int Failed, int Skipped, int Unreachable, int Ignored);

    /// <summary>Per host of <paramref name="hostIds"/>: every counter from the results (<paramref name="all"/>, through
    /// ix_results_host_started), or only the ignored failures, which ix_results_playbook_status finds without reading
    /// other results.</summary>
    private static async Task<Dictionary<long, Counters>> CountByHostAsync(Db db, long playbookId, long[] hostIds, bool all,
        CancellationToken ct)
    {
        var counts = new Dictionary<long, Counters>();
        var sql = all
            ? $"SELECT r.host_id, r.status, r.changed, r.ignore_errors, COUNT(*) FROM results r WHERE {db.In("r.host_id", "@hostIds")} " +
              "GROUP BY r.host_id, r.status, r.changed, r.ignore_errors"
            : "SELECT r.host_id, r.status, r.changed, r.ignore_errors, COUNT(*) FROM results r WHERE r.playbook_id = @playbookId " +
              $"AND r.status = 'failed' AND r.ignore_errors = @yes AND {db.In("r.host_id", "@hostIds")} " +
              "GROUP BY r.host_id, r.status, r.changed, r.ignore_errors";
        await using var reader = await db.ReaderAsync(sql, new { playbookId, hostIds, yes = true }, ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            var host = reader.GetInt64(0);
            var n = (int)reader.GetLong(4);
            counts.TryGetValue(host, out var x);
            // Ansible's recap counts a changed task as ok too.
            counts[host] = ResultStatus.Of(reader.GetString(1), reader.GetBool(2), reader.GetBool(3)) switch
            {
                "ok" => x with { Ok = x.Ok + n },
                "changed" => x with { Ok = x.Ok + n, Changed = x.Changed + n },
                "failed" => x with { Failed = x.Failed + n },
                "ignored" => x with { Ignored = x.Ignored + n },
                "skipped" => x with { Skipped = x.Skipped + n },
                "unreachable" => x with { Unreachable = x.Unreachable + n },
                _ => x,
            };
        }
        return counts;
    }

    /// <summary>
    /// A page of results in execution order (start time, then id) or newest first. The page's ids are found first
    /// (reading only the results table, mostly its indexes), then their details are joined for those ids alone.
    /// Which index finds them is chosen rather than left to chance: a host's results walk ix_results_host_started and a
    /// task's ix_results_task; a playbook's walk ix_results_playbook_started, unless a status filter matches few of
    /// them (counted through ix_results_playbook_status, a count the pager needs anyway), in which case those few are
    /// found by status and sorted.
    /// </summary>
    public async Task<Paged<ResultItem>> ResultsAsync(ResultQuery query, CancellationToken ct = default)
    {
        const long FewEnoughToSort = 20_000;
        ArgumentNullException.ThrowIfNull(query);
        await using var c = await Database.OpenConnectionAsync(ct).ConfigureAwait(false);
        var db = new Db(c, null, Database.Dialect);
        var q = new ListQuery(new ApiRequest("GET", "/", [], default, ""), db);
        // "+ 0" keeps a condition or a sort key from choosing the index: the narrower scope's index should.
        var narrower = query.HostId is not null || query.TaskId is not null;
        if (query.PlaybookId is { } playbookId)
        {
            q.Where($"{(narrower ? "r.playbook_id + 0" : "r.playbook_id")} = {q.Param(playbookId)}");
        }
        if (query.HostId is { } hostId)
        {
            q.Where($"r.host_id = {q.Param(hostId)}");
        }
        if (query.TaskId is { } taskId)
        {
            q.Where($"{(query.HostId is null ? "r.task_id" : "r.task_id + 0")} = {q.Param(taskId)}");
        }
        var statuses = query.Statuses.Where(s => ResultStatus.Shown.Contains(s)).ToList();
        if (statuses.Count > 0)
        {
            q.Where(ResultStatus.Condition(q, "r", statuses));
        }
        long? counted = null;
        if (statuses.Count > 0 && !narrower)
        {
            counted = await db.ScalarAsync<long>($"SELECT COUNT(*) FROM results r{q.WhereSql}", q.Args, ct).ConfigureAwait(false);
        }
        var sortByStart = query.TaskId is not null && query.HostId is null || counted <= FewEnoughToSort ? "r.started + 0" : "r.started";
        var direction = query.Descending ? "DESC" : "ASC";
        q.Args.Add("page_limit", query.Limit);
        q.Args.Add("page_offset", query.Offset);
        var ids = new List<long>();
        await using (var reader = await db.ReaderAsync(
            $"SELECT r.id FROM results r{q.WhereSql} ORDER BY {sortByStart} {direction}, r.id {direction} LIMIT @page_limit OFFSET @page_offset",
            q.Args, ct).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                ids.Add(reader.GetInt64(0));
            }
        }
        var items = await ResultsByIdAsync(db, ids, ct).ConfigureAwait(false);
        long total;
        if (counted is { } n)
        {
            total = n;
        }
        else if (items.Count > 0 && items.Count < query.Limit || items.Count == 0 && query.Offset == 0)
        {
            total = query.Offset + items.Count;
        }
        else if (statuses.Count == 0 && !narrower && query.PlaybookId is { } whole)
        {
            total = await db.ScalarAsync<long>("SELECT COALESCE(results, 0) FROM playbook_counts WHERE playbook_id = @whole",
                new { whole }, ct).ConfigureAwait(false);
        }
        else
        {
            total = await db.ScalarAsync<long>($"SELECT COUNT(*) FROM results r{q.WhereSql}", q.Args, ct).ConfigureAwait(false);
        }
        items = await WithDelegatesAsync(db, items, ct).ConfigureAwait(false);
        return new Paged<ResultItem>(items, Math.Max(total, query.Offset + items.Count), query.Limit, query.Offset);
    }

    /// <summary>Results with their host, task and file, in the order of <paramref name="ids"/>.</summary>
    private static async Task<List<ResultItem>> ResultsByIdAsync(Db db, List<long> ids, CancellationToken ct)
    {
        if (ids.Count == 0)
        {
            return [];
        }
        var byId = new Dictionary<long, ResultItem>(ids.Count);
        foreach (var chunk in ids.Chunk(500))
        {
            await using var reader = await db.ReaderAsync($"SELECT {ResultColumns} FROM {ResultFrom} WHERE {db.In("r.id", "@chunk")}",
                new { chunk }, ct).ConfigureAwait(false);
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                var item = ReadResult(reader);
                byId[item.Id] = item;
            }
        }
        return ids.Where(byId.ContainsKey).Select(id => byId[id]).ToList();
    }

    /// <summary>The first failed or unreachable results of a playbook (ignored failures are not failures), each with
    /// its message: what a person opens a failed run's page for.</summary>
    public async Task<IReadOnlyList<Failure>> FailuresAsync(long playbookId, int limit, CancellationToken ct = default)
    {
        await using var c = await Database.OpenConnectionAsync(ct).ConfigureAwait(false);
        var db = new Db(c, null, Database.Dialect);
        var failures = new List<Failure>();
        // One walk of ix_results_playbook_status per status, each in id order and stopping at the limit: an IN list
        // would sort every failed result of the playbook first.
        await using (var reader = await db.ReaderAsync(
            $"SELECT {ResultColumns}, r.content FROM {ResultFrom} WHERE r.id IN (" +
            "SELECT id FROM (SELECT x.id FROM results x WHERE x.playbook_id = @playbookId AND x.status = 'failed' AND x.ignore_errors = @no ORDER BY x.id LIMIT @limit) a " +
            "UNION ALL SELECT id FROM (SELECT x.id FROM results x WHERE x.playbook_id = @playbookId AND x.status = 'unreachable' AND x.ignore_errors = @no ORDER BY x.id LIMIT @limit) b) " +
            "ORDER BY r.id LIMIT @limit",
            new { playbookId, no = false, limit }, ct).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                failures.Add(new Failure(ReadResult(reader), MessageOf(reader.GetString(15))));
            }
        }
        var rescued = await RescuedAsync(db, failures, ct).ConfigureAwait(false);
        return rescued.Count == 0 ? failures : failures.Select(f => rescued.Contains(f.Result.Id) ? f with { Rescued = true } : f).ToList();
    }

    /// <summary>
    /// Which of these failures a <c>rescue</c> handled. A failed result carries no mark of it (Ansible sends
    /// <c>v2_runner_on_failed</c> with <c>ignore_errors</c> false either way, and neither ARA nor the callback records
    /// the block), so the signal is the host's recap (<c>playbook_on_stats</c>): Ansible counts each failure inside a
    /// block that has a rescue as <c>rescued</c> instead of <c>failures</c>. A host that failed without rescue runs
    /// nothing more but <c>always</c> sections, so its rescued failures come first: the first <c>rescued</c> failed,
    /// not-ignored results of a host, in recording (id) order, are the rescued ones. Unreachable results are never
    /// rescued (Ansible counts them as dark). Until the recap arrives (a running playbook, or a run ARA's callback
    /// recorded, which sends no rescued count) no failure is marked rescued.
    /// </summary>
    private static async Task<HashSet<long>> RescuedAsync(Db db, List<Failure> failures, CancellationToken ct)
    {
        var found = new HashSet<long>();
        var hostIds = failures.Where(f => f.Result.Status == "failed").Select(f => f.Result.HostId).Distinct().ToArray();
        if (hostIds.Length == 0)
        {
            return found;
        }
        var hosts = new List<(long Id, long Rescued)>();
        await using (var reader = await db.ReaderAsync($"SELECT id, rescued FROM hosts WHERE {db.In("id", "@hostIds")} AND rescued > 0",
            new { hostIds }, ct).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                hosts.Add((reader.GetInt64(0), reader.GetInt64(1)));
            }
        }
        foreach (var (hostId, count) in hosts)
        {
            await using var reader = await db.ReaderAsync(
                "SELECT id FROM results WHERE host_id = @hostId AND status = 'failed' AND ignore_errors = @no ORDER BY id LIMIT @count",
                new { hostId, no = false, count }, ct).ConfigureAwait(false);
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                found.Add(reader.GetInt64(0));
            }
        }
        return found;
    }

    /// <summary>The result page; null when there is no result <paramref name="id"/>.</summary>
    public async Task<ResultDetail?> ResultAsync(long id, CancellationToken ct = default)
    {
        await using var c = await Database.OpenConnectionAsync(ct).ConfigureAwait(false);
        var db = new Db(c, null, Database.Dialect);
        ResultItem result;
        string content;
        await using (var reader = await db.ReaderAsync($"SELECT {ResultColumns}, r.content, r.play_id FROM {ResultFrom} WHERE r.id = @id",
            new { id }, ct).ConfigureAwait(false))
        {
            if (!await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                return null;
            }
            result = ReadResult(reader);
            content = reader.GetString(15);
        }
        result = (await WithDelegatesAsync(db, [result], ct).ConfigureAwait(false))[0];
        TaskItem task;
        await using (var reader = await db.ReaderAsync($"SELECT {TaskColumns} FROM {TaskFrom} WHERE t.id = @taskId",
            new { taskId = result.TaskId }, ct).ConfigureAwait(false))
        {
            await reader.ReadAsync(ct).ConfigureAwait(false);
            task = ReadTask(reader);
        }
        var playName = await db.ScalarAsync<string?>("SELECT name FROM plays WHERE id = @playId", new { playId = task.PlayId }, ct)
            .ConfigureAwait(false);
        var playbook = await PlaybookRefAsync(db, result.PlaybookId, ct).ConfigureAwait(false);
        return new ResultDetail(result, content, task, task.PlayId, playName, playbook);
    }

    /// <summary>The host page; null when there is no host <paramref name="id"/>.</summary>
    public async Task<HostDetail?> HostAsync(long id, CancellationToken ct = default)
    {
        await using var c = await Database.OpenConnectionAsync(ct).ConfigureAwait(false);
        var db = new Db(c, null, Database.Dialect);
        HostStats host;
        string facts;
        long playbookId;
        await using (var reader = await db.ReaderAsync(
            "SELECT h.id, h.name, h.ok, h.changed, h.failed, h.skipped, h.unreachable, h.rescued, h.facts, h.playbook_id " +
            "FROM hosts h WHERE h.id = @id", new { id }, ct).ConfigureAwait(false))
        {
            if (!await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                return null;
            }
            host = new HostStats(reader.GetInt64(0), reader.GetString(1), (int)reader.GetLong(2), (int)reader.GetLong(3),
                (int)reader.GetLong(4), (int)reader.GetLong(5), (int)reader.GetLong(6), 0, (int)reader.GetLong(7));
            facts = reader.GetString(8);
            playbookId = reader.GetInt64(9);
        }
        var ignored = await db.ScalarAsync<long>(
            "SELECT COUNT(*) FROM results r WHERE r.host_id = @id AND r.status = 'failed' AND r.ignore_errors = @yes",
            new { id, yes = true }, ct).ConfigureAwait(false);
        var playbook = await PlaybookRefAsync(db, playbookId, ct).ConfigureAwait(false);
        var results = await db.ScalarAsync<long>("SELECT COALESCE(results, 0) FROM playbook_counts WHERE playbook_id = @playbookId",
            new { playbookId }, ct).ConfigureAwait(false);
        return new HostDetail(host with { Ignored = (int)ignored }, facts, playbook, results);
    }

    /// <summary>The file page; null when there is no file <paramref name="id"/>.</summary>
    public async Task<FileDetail?> FileAsync(long id, CancellationToken ct = default)
    {
        await using var c = await Database.OpenConnectionAsync(ct).ConfigureAwait(false);
        var db = new Db(c, null, Database.Dialect);
        string path, sha1, content;
        long playbookId;
        await using (var reader = await db.ReaderAsync(
            "SELECT f.path, fc.sha1, fc.contents, f.playbook_id FROM files f JOIN file_contents fc ON fc.id = f.content_id WHERE f.id = @id",
            new { id }, ct).ConfigureAwait(false))
        {
            if (!await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                return null;
            }
            (path, sha1, content, playbookId) = (reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetInt64(3));
        }
        var tasks = new List<TaskLine>();
        await using (var reader = await db.ReaderAsync(
            "SELECT t.id, t.name, t.lineno, t.action FROM tasks t WHERE t.file_id = @id ORDER BY t.lineno, t.id LIMIT 5000",
            new { id }, ct).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                tasks.Add(new TaskLine(reader.GetInt64(0), reader.GetStringOrNull(1), (int)reader.GetLong(2), reader.GetString(3)));
            }
        }
        var playbook = await PlaybookRefAsync(db, playbookId, ct).ConfigureAwait(false);
        return new FileDetail(id, path, sha1, content, playbook, tasks);
    }

    /// <summary>A playbook's files by path, the first <paramref name="limit"/> of them, with the total.</summary>
    public async Task<Paged<FileItem>> FilesAsync(long playbookId, int limit, CancellationToken ct = default)
    {
        await using var c = await Database.OpenConnectionAsync(ct).ConfigureAwait(false);
        var db = new Db(c, null, Database.Dialect);
        var files = new List<FileItem>();
        await using (var reader = await db.ReaderAsync("SELECT f.id, f.path FROM files f WHERE f.playbook_id = @playbookId ORDER BY f.path, f.id LIMIT @limit",
            new { playbookId, limit }, ct).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                files.Add(new FileItem(reader.GetInt64(0), reader.GetString(1)));
            }
        }
        var total = await db.ScalarAsync<long>("SELECT COALESCE(files, 0) FROM playbook_counts WHERE playbook_id = @playbookId",
            new { playbookId }, ct).ConfigureAwait(false);
        return new Paged<FileItem>(files, Math.Max(total, files.Count), limit, 0);
    }

    /// <summary>A playbook's <c>ara_record</c> records by key, the first <paramref name="limit"/> of them, with the total.</summary>
    public async Task<Paged<RecordItem>> RecordsAsync(long playbookId, int limit, CancellationToken ct = default)
    {
        await using var c = await Database.OpenConnectionAsync(ct).ConfigureAwait(false);
        var db = new Db(c, null, Database.Dialect);
        var records = new List<RecordItem>();
        await using (var reader = await db.ReaderAsync(
            "SELECT k.id, k.key, k.type, k.value FROM records k WHERE k.playbook_id = @playbookId ORDER BY k.key, k.id LIMIT @limit",
            new { playbookId, limit }, ct).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                records.Add(new RecordItem(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3)));
            }
        }
        var total = await db.ScalarAsync<long>("SELECT COALESCE(records, 0) FROM playbook_counts WHERE playbook_id = @playbookId",
            new { playbookId }, ct).ConfigureAwait(false);
        return new Paged<RecordItem>(records, Math.Max(total, records.Count), limit, 0);
    }

    /// <summary>A page of a run's console events in order; <paramref name="offset"/> null means the last page (where a
    /// running playbook's output grows and a finished one's recap is).</summary>
    public async Task<Paged<ConsoleEvent>> ConsoleAsync(long playbookId, int limit, long? offset, CancellationToken ct = default)
    {
        await using var c = await Database.OpenConnectionAsync(ct).ConfigureAwait(false);
        var db = new Db(c, null, Database.Dialect);
        var total = await db.ScalarAsync<long>("SELECT COUNT(*) FROM run_events WHERE playbook_id = @playbookId",
            new { playbookId }, ct).ConfigureAwait(false);
        var start = offset ?? Math.Max(0, (total - 1) / limit * limit);
        var events = new List<ConsoleEvent>();
        await using (var reader = await db.ReaderAsync(
            "SELECT e.counter, e.event, e.stdout, e.result_id, h.name FROM run_events e LEFT JOIN results r ON r.id = e.result_id " +
            "LEFT JOIN hosts h ON h.id = r.host_id WHERE e.playbook_id = @playbookId ORDER BY e.counter LIMIT @limit OFFSET @start",
            new { playbookId, limit, start }, ct).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                events.Add(new ConsoleEvent(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetInt64OrNull(3),
                    reader.GetStringOrNull(4)));
            }
        }
        return new Paged<ConsoleEvent>(events, total, limit, start);
    }

    /// <summary>Every host, result and file of a playbook, by id (a static export writes one page for each).</summary>
    public async Task<PlaybookContents> ContentsAsync(long playbookId, CancellationToken ct = default)
    {
        await using var c = await Database.OpenConnectionAsync(ct).ConfigureAwait(false);
        var db = new Db(c, null, Database.Dialect);
        async Task<List<long>> Ids(string sql)
        {
            var ids = new List<long>();
            await using var reader = await db.ReaderAsync(sql, new { playbookId }, ct).ConfigureAwait(false);
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                ids.Add(reader.GetInt64(0));
            }
            return ids;
        }
        return new PlaybookContents(
            await Ids("SELECT id FROM hosts WHERE playbook_id = @playbookId ORDER BY id").ConfigureAwait(false),
            await Ids("SELECT id FROM results WHERE playbook_id = @playbookId ORDER BY id").ConfigureAwait(false),
            await Ids("SELECT id FROM files WHERE playbook_id = @playbookId ORDER BY id").ConfigureAwait(false));
    }

    /// <summary>A short text that changes whenever anything a playbook's page shows changes (status, counts, console);
    /// null when the playbook does not exist. Point lookups only: cheap enough to ask every second.</summary>
    public async Task<string?> PlaybookVersionAsync(long id, CancellationToken ct = default)
    {
        await using var c = await Database.OpenConnectionAsync(ct).ConfigureAwait(false);
        var db = new Db(c, null, Database.Dialect);
        await using var reader = await db.ReaderAsync(
            "SELECT p.status, p.updated, COALESCE(pc.plays, 0), COALESCE(pc.tasks, 0), COALESCE(pc.results, 0), " +
            "COALESCE(pc.hosts, 0), COALESCE(pc.files, 0), COALESCE(pc.records, 0), " +
            "(SELECT MAX(e.counter) FROM run_events e WHERE e.playbook_id = p.id) " +
            $"FROM {SummaryFrom} WHERE p.id = @id", new { id }, ct).ConfigureAwait(false);
        if (!await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            return null;
        }
        return string.Join(' ', Enumerable.Range(0, 9).Select(i => reader.IsDBNull(i)
            ? "-"
            : Convert.ToString(reader.GetValue(i), CultureInfo.InvariantCulture)));
    }

    /// <summary>A short text that changes whenever the playbook list could show something new: a playbook added,
    /// removed or updated, or the counts of a running one grown.</summary>
    public async Task<string> ListVersionAsync(CancellationToken ct = default)
    {
        await using var c = await Database.OpenConnectionAsync(ct).ConfigureAwait(false);
        var db = new Db(c, null, Database.Dialect);
        await using var reader = await db.ReaderAsync(
            "SELECT (SELECT COUNT(*) FROM playbooks), (SELECT MAX(updated) FROM playbooks), " +
            "(SELECT COALESCE(SUM(pc.plays + pc.tasks + pc.results + pc.hosts), 0) FROM playbooks p " +
            "JOIN playbook_counts pc ON pc.playbook_id = p.id WHERE p.status = 'running')", null, ct).ConfigureAwait(false);
        await reader.ReadAsync(ct).ConfigureAwait(false);
        return string.Join(' ', Enumerable.Range(0, 3).Select(i => reader.IsDBNull(i)
            ? "-"
            : Convert.ToString(reader.GetValue(i), CultureInfo.InvariantCulture)));
    }

    /// <summary>The line a person reads first in a failed result: <c>msg</c>, else <c>stderr</c>, <c>reason</c> or
    /// <c>exception</c> (first non-empty line, at most 300 characters); null when there is none.</summary>
    public static string? MessageOf(string content)
    {
        try
        {
            using var doc = JsonDocument.Parse(content);
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                return null;
            }
            foreach (var key in new[] { "msg", "stderr", "reason", "exception", "module_stderr" })
            {
                if (doc.RootElement.TryGetProperty(key, out var v))
                {
                    var text = v.ValueKind == JsonValueKind.String ? v.GetString() : v.ValueKind is JsonValueKind.Null ? null : v.GetRawText();
                    var line = text?.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0);
                    if (line is not null)
                    {
                        return line.Length > 300 ? line[..300] + "…" : line;
                    }
                }
            }
            return null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static async Task<PlaybookRef> PlaybookRefAsync(Db db, long id, CancellationToken ct)
    {
        await using var reader = await db.ReaderAsync("SELECT p.id, p.name, p.path, p.status FROM playbooks p WHERE p.id = @id",
            new { id }, ct).ConfigureAwait(false);
        await reader.ReadAsync(ct).ConfigureAwait(false);
        return new PlaybookRef(reader.GetInt64(0), reader.GetStringOrNull(1), reader.GetString(2), reader.GetString(3));
    }

    private static PlaybookSummary ReadSummary(DbDataReader r) => new(
        r.GetInt64(0), r.GetString(1), r.GetStringOrNull(2), r.GetString(3), r.GetString(4), r.GetStringOrNull(5),
        r.GetStringOrNull(6), r.GetInt64(7), r.GetInt64OrNull(8),
        new ItemCounts(r.GetInt64(9), r.GetInt64(10), r.GetInt64(11), r.GetInt64(12), r.GetInt64(13), r.GetInt64(14)));

    private static TaskItem ReadTask(DbDataReader r) => new(
        r.GetInt64(0), r.GetStringOrNull(1), r.GetString(2), r.GetString(3), r.GetInt64(4), r.GetInt64OrNull(5), r.GetInt64(6),
        r.GetString(7), (int)r.GetLong(8), r.GetBool(9), r.GetString(10), r.GetInt64(11), r.GetInt64(12));

    private static ResultItem ReadResult(DbDataReader r) => new(
        r.GetInt64(0), ResultStatus.Of(r.GetString(1), r.GetBool(2), r.GetBool(3)), r.GetInt64(4), r.GetInt64OrNull(5),
        r.GetInt64(6), r.GetString(7), r.GetInt64(8), r.GetStringOrNull(9), r.GetString(10), r.GetInt64(11), (int)r.GetLong(12),
        r.GetInt64(13), r.GetString(14));

    /// <summary>Labels of a page of playbooks in one query, each playbook's in label id order (as the API lists them).</summary>
    private static async Task<List<PlaybookSummary>> WithLabelsAsync(Db db, List<PlaybookSummary> playbooks, CancellationToken ct)
    {
        if (playbooks.Count == 0)
        {
            return playbooks;
        }
        var labels = new Dictionary<long, List<string>>();
        await using (var reader = await db.ReaderAsync(
            "SELECT pl.playbook_id, l.name FROM playbooks_labels pl JOIN labels l ON l.id = pl.label_id " +
            $"WHERE {db.In("pl.playbook_id", "@ids")} ORDER BY pl.playbook_id, pl.label_id",
            new { ids = playbooks.Select(p => p.Id).ToArray() }, ct).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                var id = reader.GetInt64(0);
                if (!labels.TryGetValue(id, out var list))
                {
                    labels[id] = list = [];
                }
                list.Add(reader.GetString(1));
            }
        }
        return playbooks.Select(p => labels.TryGetValue(p.Id, out var l) ? p with { Labels = l } : p).ToList();
    }

    /// <summary>The delegated hosts of a page of results, in one query.</summary>
    private static async Task<List<ResultItem>> WithDelegatesAsync(Db db, List<ResultItem> results, CancellationToken ct)
    {
        if (results.Count == 0)
        {
            return results;
        }
        var delegated = new Dictionary<long, List<HostRef>>();
        await using (var reader = await db.ReaderAsync(
            "SELECT d.result_id, h.id, h.name FROM results_delegated_to d JOIN hosts h ON h.id = d.host_id " +
            $"WHERE {db.In("d.result_id", "@ids")} ORDER BY d.result_id, h.id",
            new { ids = results.Select(r => r.Id).ToArray() }, ct).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                var id = reader.GetInt64(0);
                if (!delegated.TryGetValue(id, out var list))
                {
                    delegated[id] = list = [];
                }
                list.Add(new HostRef(reader.GetInt64(1), reader.GetString(2)));
            }
        }
        return results.Select(r => delegated.TryGetValue(r.Id, out var d) ? r with { DelegatedTo = d } : r).ToList();
    }
}

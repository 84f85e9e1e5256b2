using System.Data.Common;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Anvil.Events;
using Anvil.Records.Storage;

namespace Anvil.Records.Ingest;

/// <summary>
/// Turns a run's job events into ARA records (playbook, plays, tasks, files, hosts, results, stats), one batch per
/// transaction. Each event is first claimed in <c>run_events(playbook_id, counter)</c>; an event already there was
/// stored by an earlier delivery of the same batch and is skipped, so delivery may repeat but storage happens once.
/// </summary>
public sealed class EventIngestor(AnvilDatabase db, string serverVersion = "1.7.4")
{
    private static readonly HashSet<string> FactActions =
    [
        "setup", "gather_facts", "ansible.builtin.setup", "ansible.builtin.gather_facts", "ansible.legacy.setup",
        "ansible.legacy.gather_facts",
    ];

    /// <summary>Stores a batch in one transaction: creates the playbook record on the first batch of a run, skips
    /// events already stored, and closes the playbook when the batch carries a final status.</summary>
    public Task<IngestResult> IngestAsync(IngestBatch batch, CancellationToken ct = default) =>
        db.WriteAsync(async (c, tx) =>
        {
            using var writer = new BatchWriter(c, tx, db.Dialect, batch, serverVersion, db.NowMicros());
            return await writer.RunAsync().ConfigureAwait(false);
        }, ct);

    /// <summary>The state of one batch inside its transaction.</summary>
    private sealed class BatchWriter(DbConnection c, DbTransaction tx, SqlDialect dialect, IngestBatch batch, string serverVersion,
        long now) : IDisposable
    {
        private readonly SqlSession _s = new(c, tx, dialect);
        private readonly Dictionary<string, long> _files = new(StringComparer.Ordinal);
        private readonly Dictionary<string, long> _hosts = new(StringComparer.Ordinal);
        private readonly Dictionary<string, long> _plays = new(StringComparer.Ordinal);
        private readonly Dictionary<string, long> _tasks = new(StringComparer.Ordinal);
        private long _playbook;
        private readonly long _now = now;

        public void Dispose() => _s.Dispose();

        private static long NotNull(long? value) => value ?? throw new InvalidOperationException("the database returned no id");

        public async Task<IngestResult> RunAsync()
        {
            _playbook = await EnsurePlaybookAsync().ConfigureAwait(false);
            int stored = 0, duplicates = 0;
            foreach (var ev in batch.Events)
            {
                var claimed = await _s.ExecuteAsync("INSERT INTO run_events (playbook_id, counter, event, stdout) VALUES (@p, @counter, @name, @stdout) ON CONFLICT DO NOTHING", ("p", _playbook), ("counter", ev.Counter), ("name", ev.Event), ("stdout", ev.Stdout)).ConfigureAwait(false);
                if (claimed == 0)
                {
                    duplicates++;
                    continue;
                }
                stored++;
                // Runner-side text has no event_data (and nothing to record beyond its line of output).
                if (!ev.IsRunnerSide && ev.EventData is { ValueKind: JsonValueKind.Object } data)
                {
                    await ApplyAsync(ev, data).ConfigureAwait(false);
                }
            }
            if (batch.FinalStatus is { } final)
            {
                await FinishAsync(final).ConfigureAwait(false);
            }
            return new IngestResult(_playbook, stored, duplicates);
        }

        private async Task<long> EnsurePlaybookAsync()
        {
            var run = batch.Run;
            var existing = await _s.LongAsync("SELECT id FROM playbooks WHERE run_ident = @ident", ("ident", run.Ident)).ConfigureAwait(false);
            if (existing is { } id)
            {
                return id;
            }
            var arguments = run.Arguments is { } a ? Api.JsonText.Normalize(a) : "{}";
            id = NotNull(await _s.LongAsync("""
                INSERT INTO playbooks (created, updated, started, name, ansible_version, client_version, python_version,
                    server_version, status, arguments, path, controller, "user", run_ident)
                VALUES (@now, @now, @now, NULL, @ansible, @client, @python, @server, 'running', @arguments, @path,
                    @controller, @user, @ident)
                ON CONFLICT (run_ident) DO UPDATE SET updated = playbooks.updated
                RETURNING id
                """, ("now", _now), ("ansible", run.AnsibleVersion), ("client", run.ClientVersion), ("python", run.PythonVersion), ("server", serverVersion), ("arguments", arguments), ("path", run.Path), ("controller", run.Controller), ("user", run.User), ("ident", run.Ident)).ConfigureAwait(false));
            foreach (var label in run.Labels.Distinct(StringComparer.Ordinal))
            {
                var labelId = NotNull(await _s.LongAsync("INSERT INTO labels (created, updated, name) VALUES (@now, @now, @label) ON CONFLICT (name) DO UPDATE SET updated = labels.updated RETURNING id", ("now", _now), ("label", label)).ConfigureAwait(false));
                await _s.ExecuteAsync("INSERT INTO playbooks_labels (playbook_id, label_id) VALUES (@id, @labelId) ON CONFLICT DO NOTHING", ("id", id), ("labelId", labelId)).ConfigureAwait(false);
            }
            return id;
        }

        private Task ApplyAsync(JobEvent ev, JsonElement data) => ev.Event switch
        {
            EventNames.PlaybookOnStart => OnPlaybookStartAsync(ev),
            EventNames.PlaybookOnPlayStart => OnPlayStartAsync(ev, data),
            EventNames.PlaybookOnTaskStart => OnTaskStartAsync(ev, data),
            EventNames.RunnerOnOk => OnResultAsync(ev, data, "ok"),
            EventNames.RunnerOnFailed => OnResultAsync(ev, data, "failed"),
            EventNames.RunnerOnSkipped => OnResultAsync(ev, data, "skipped"),
            EventNames.RunnerOnUnreachable => OnResultAsync(ev, data, "unreachable"),
            EventNames.PlaybookOnStats => OnStatsAsync(ev, data),
            _ => Task.CompletedTask,
        };

        private async Task OnPlaybookStartAsync(JobEvent ev)
        {
            var started = Time(ev.Created) ?? _now;
            var meta = ev.Meta;
            await _s.ExecuteAsync("UPDATE playbooks SET started = @started, updated = @now, ansible_version = COALESCE(@ansible, ansible_version), python_version = COALESCE(@python, python_version) WHERE id = @id", ("started", started), ("now", _now), ("id", _playbook), ("ansible", Str(meta, "ansible_version")), ("python", Str(meta, "python_version"))).ConfigureAwait(false);
            await FileIdAsync(batch.Run.Path).ConfigureAwait(false);
        }

        private async Task OnPlayStartAsync(JobEvent ev, JsonElement data)
        {
            var started = Time(ev.Created) ?? _now;
            await EndOpenAsync(started).ConfigureAwait(false);
            await _s.ExecuteAsync("UPDATE plays SET status = 'completed', ended = @t, updated = @now WHERE playbook_id = @p AND ended IS NULL", ("t", started), ("now", _now), ("p", _playbook)).ConfigureAwait(false);
            var uuid = Str(data, "play_uuid") ?? NonEmpty(ev.Uuid) ?? Guid.NewGuid().ToString();
            var id = NotNull(await _s.LongAsync("INSERT INTO plays (created, updated, started, name, uuid, status, playbook_id) VALUES (@now, @now, @started, @name, @uuid, 'running', @p) RETURNING id", ("now", _now), ("started", started), ("name", Truncate(Str(data, "name") ?? Str(data, "play"))), ("uuid", NormalUuid(uuid)), ("p", _playbook)).ConfigureAwait(false));
            _plays[uuid] = id;
        }

        private async Task OnTaskStartAsync(JobEvent ev, JsonElement data)
        {
            var started = Time(ev.Created) ?? _now;
            await EndOpenAsync(started).ConfigureAwait(false);
            var playId = await PlayIdAsync(Str(data, "play_uuid")).ConfigureAwait(false);
            var (path, line) = SplitTaskPath(Str(data, "task_path"));
            var fileId = await FileIdAsync(path).ConfigureAwait(false);
            var uuid = Str(data, "task_uuid") ?? NonEmpty(ev.Uuid) ?? Guid.NewGuid().ToString();
            var meta = ev.Meta;
            // Anvil's callback says which task starts are handlers; otherwise ansible-runner's is_conditional does.
            var handler = meta.ValueKind == JsonValueKind.Object && meta.TryGetProperty("handler", out var hm)
                ? hm.ValueKind == JsonValueKind.True
                : data.TryGetProperty("is_conditional", out var h) && h.ValueKind == JsonValueKind.True;
            var tags = meta.ValueKind == JsonValueKind.Object && meta.TryGetProperty("tags", out var t) && t.ValueKind == JsonValueKind.Array
                ? Api.JsonText.Normalize(t)
                : "[]";
            var id = NotNull(await _s.LongAsync("""
                INSERT INTO tasks (created, updated, started, name, uuid, action, lineno, tags, handler, status, file_id, play_id, playbook_id)
                VALUES (@now, @now, @started, @name, @uuid, @action, @line, @tags, @handler, 'running', @fileId, @playId, @p)
                RETURNING id
                """, ("now", _now), ("started", started), ("name", Str(data, "task")), ("uuid", NormalUuid(uuid)), ("action", Str(data, "task_action") ?? ""), ("line", line), ("tags", tags), ("handler", handler), ("fileId", fileId), ("playId", playId), ("p", _playbook)).ConfigureAwait(false));
            _tasks[uuid] = id;
        }

        private async Task OnResultAsync(JobEvent ev, JsonElement data, string status)
        {
            var taskUuid = Str(data, "task_uuid");
            var taskId = await TaskIdAsync(taskUuid).ConfigureAwait(false);
            if (taskId is null)
            {
                return; // A result for a task we never saw start (cannot happen with Ansible's own events).
            }
            var hostName = ev.Host ?? "localhost";
            var hostId = await HostIdAsync(hostName).ConfigureAwait(false);
            var playId = await PlayIdAsync(Str(data, "play_uuid")).ConfigureAwait(false);
            var res = data.TryGetProperty("res", out var r) && r.ValueKind == JsonValueKind.Object ? r : default;
            var changed = res.ValueKind == JsonValueKind.Object && res.TryGetProperty("changed", out var ch) && ch.ValueKind == JsonValueKind.True;
            var ignore = data.TryGetProperty("ignore_errors", out var ie) && ie.ValueKind == JsonValueKind.True;
            var started = Time(Str(data, "start")) ?? Time(ev.Created) ?? _now;
            var ended = Time(Str(data, "end")) ?? Time(ev.Created) ?? _now;
            var content = res.ValueKind == JsonValueKind.Object ? WithoutInternalKeys(res) : "{}";
            var resultId = NotNull(await _s.LongAsync("""
                INSERT INTO results (created, updated, started, ended, status, changed, ignore_errors, content, host_id, task_id, play_id, playbook_id)
                VALUES (@now, @now, @started, @ended, @status, @changed, @ignore, @content, @hostId, @taskId, @playId, @p)
                RETURNING id
                """, ("now", _now), ("started", started), ("ended", ended), ("status", status), ("changed", changed), ("ignore", ignore), ("content", content), ("hostId", hostId), ("taskId", taskId), ("playId", playId), ("p", _playbook)).ConfigureAwait(false));
            // The console links this event's text to the result it produced.
            await _s.ExecuteAsync("UPDATE run_events SET result_id = @resultId WHERE playbook_id = @p AND counter = @counter", ("resultId", resultId), ("p", _playbook), ("counter", ev.Counter)).ConfigureAwait(false);

            if (res.ValueKind == JsonValueKind.Object && res.TryGetProperty("_ansible_delegated_vars", out var dv) &&
                dv.ValueKind == JsonValueKind.Object && Str(dv, "ansible_delegated_host") is { } delegated && delegated != hostName)
            {
                var delegatedId = await HostIdAsync(delegated).ConfigureAwait(false);
                await _s.ExecuteAsync("INSERT INTO results_delegated_to (result_id, host_id) VALUES (@resultId, @delegatedId) ON CONFLICT DO NOTHING", ("resultId", resultId), ("delegatedId", delegatedId)).ConfigureAwait(false);
            }
            if (!ignore && Api.ResultStatus.Failures.Contains(status))
            {
                await _s.ExecuteAsync("UPDATE tasks SET status = 'failed', updated = @now WHERE id = @taskId", ("now", _now), ("taskId", taskId)).ConfigureAwait(false);
            }
            if (FactActions.Contains(ev.TaskAction ?? "") && res.ValueKind == JsonValueKind.Object &&
                res.TryGetProperty("ansible_facts", out var facts) && facts.ValueKind == JsonValueKind.Object)
            {
                await _s.ExecuteAsync("UPDATE hosts SET facts = @facts, updated = @now WHERE id = @hostId", ("facts", Api.JsonText.Normalize(facts)), ("now", _now), ("hostId", hostId)).ConfigureAwait(false);
            }
        }

        private async Task OnStatsAsync(JobEvent ev, JsonElement data)
        {
            var ended = Time(ev.Created) ?? _now;
            await EndOpenAsync(ended).ConfigureAwait(false);
            await _s.ExecuteAsync("UPDATE plays SET status = 'completed', ended = @t, updated = @now WHERE playbook_id = @p AND ended IS NULL", ("t", ended), ("now", _now), ("p", _playbook)).ConfigureAwait(false);
            var failed = false;
            var hosts = new SortedSet<string>(StringComparer.Ordinal);
            foreach (var key in new[] { "ok", "changed", "failures", "skipped", "dark", "processed" })
            {
                if (data.TryGetProperty(key, out var map) && map.ValueKind == JsonValueKind.Object)
                {
                    foreach (var p in map.EnumerateObject())
                    {
                        hosts.Add(p.Name);
                        if (key is "failures" or "dark" && p.Value.ValueKind == JsonValueKind.Number && p.Value.GetInt32() > 0)
                        {
                            failed = true;
                        }
                    }
                }
            }
            foreach (var host in hosts)
            {
                var hostId = await HostIdAsync(host).ConfigureAwait(false);
                await _s.ExecuteAsync("UPDATE hosts SET ok = @ok, changed = @changed, failed = @failed, skipped = @skipped, unreachable = @unreachable, rescued = @rescued, updated = @now WHERE id = @hostId", ("ok", Count(data, "ok", host)), ("changed", Count(data, "changed", host)), ("failed", Count(data, "failures", host)), ("skipped", Count(data, "skipped", host)), ("unreachable", Count(data, "dark", host)), ("rescued", Count(data, "rescued", host)), ("now", _now), ("hostId", hostId)).ConfigureAwait(false);
            }
            await _s.ExecuteAsync("UPDATE playbooks SET status = @status, ended = @ended, updated = @now WHERE id = @p", ("status", failed ? "failed" : "completed"), ("ended", ended), ("now", _now), ("p", _playbook)).ConfigureAwait(false);
        }

        /// <summary>The run is over: anything still open is closed; without a stats event the runner's status decides.</summary>
        private async Task FinishAsync(string runnerStatus)
        {
            await EndOpenAsync(_now).ConfigureAwait(false);
            await _s.ExecuteAsync("UPDATE plays SET status = 'completed', ended = @now, updated = @now WHERE playbook_id = @p AND ended IS NULL", ("now", _now), ("p", _playbook)).ConfigureAwait(false);
            var status = runnerStatus switch
            {
                "successful" => "completed",
                "canceled" => "expired",
                _ => "failed",
            };
            // A stats event already set completed/failed; the runner's verdict only overrides a run still open or one
            // that ended badly outside Ansible's view (canceled, timed out).
            await _s.ExecuteAsync("UPDATE playbooks SET status = CASE WHEN status = 'running' OR @override THEN @status ELSE status END, ended = COALESCE(ended, @now), updated = @now WHERE id = @p", ("status", status), ("now", _now), ("p", _playbook), ("override", runnerStatus is "canceled" or "timeout")).ConfigureAwait(false);
        }

        private Task EndOpenAsync(long at) =>
            _s.ExecuteAsync("UPDATE tasks SET ended = @at, status = CASE WHEN status = 'running' THEN 'completed' ELSE status END, updated = @now WHERE playbook_id = @p AND ended IS NULL", ("at", at), ("now", _now), ("p", _playbook));

        private async Task<long> PlayIdAsync(string? uuid)
        {
            if (uuid is not null && _plays.TryGetValue(uuid, out var id))
            {
                return id;
            }
            var found = uuid is null
                ? null
                : await _s.LongAsync("SELECT id FROM plays WHERE playbook_id = @p AND uuid = @uuid ORDER BY id DESC LIMIT 1", ("p", _playbook), ("uuid", NormalUuid(uuid))).ConfigureAwait(false);
            found ??= await _s.LongAsync("SELECT id FROM plays WHERE playbook_id = @p ORDER BY id DESC LIMIT 1", ("p", _playbook)).ConfigureAwait(false);
            if (found is null)
            {
                // Ad-hoc runs have no play: make one so results have a home, as ARA does for ad-hoc commands.
                found = NotNull(await _s.LongAsync("INSERT INTO plays (created, updated, started, name, uuid, status, playbook_id) VALUES (@now, @now, @now, @name, @uuid, 'running', @p) RETURNING id", ("now", _now), ("name", batch.Run.Path), ("uuid", NormalUuid(Guid.NewGuid().ToString())), ("p", _playbook)).ConfigureAwait(false));
            }
            if (uuid is not null)
            {
                _plays[uuid] = found.Value;
            }
            return found.Value;
        }

        private async Task<long?> TaskIdAsync(string? uuid)
        {
            if (uuid is null)
            {
                return null;
            }
            if (_tasks.TryGetValue(uuid, out var id))
            {
                return id;
            }
            var found = await _s.LongAsync("SELECT id FROM tasks WHERE playbook_id = @p AND uuid = @uuid ORDER BY id DESC LIMIT 1", ("p", _playbook), ("uuid", NormalUuid(uuid))).ConfigureAwait(false);
            if (found is { } f)
            {
                _tasks[uuid] = f;
            }
            return found;
        }

        private async Task<long> HostIdAsync(string name)
        {
            if (_hosts.TryGetValue(name, out var id))
            {
                return id;
            }
            id = NotNull(await _s.LongAsync("INSERT INTO hosts (created, updated, name, playbook_id) VALUES (@now, @now, @name, @p) ON CONFLICT (name, playbook_id) DO UPDATE SET updated = hosts.updated RETURNING id", ("now", _now), ("name", Truncate(name)), ("p", _playbook)).ConfigureAwait(false));
            await _s.ExecuteAsync("INSERT INTO latest_hosts (name, host_id, created, updated) VALUES (@name, @id, @now, @now) ON CONFLICT (name) DO UPDATE SET host_id = excluded.host_id, updated = excluded.updated", ("name", Truncate(name)), ("id", id), ("now", _now)).ConfigureAwait(false);
            _hosts[name] = id;
            return id;
        }

        private async Task<long> FileIdAsync(string path)
        {
            if (_files.TryGetValue(path, out var id))
            {
                return id;
            }
            var existing = await _s.LongAsync("SELECT id FROM files WHERE playbook_id = @p AND path = @path", ("p", _playbook), ("path", path)).ConfigureAwait(false);
            if (existing is null)
            {
                var text = batch.Files.TryGetValue(path, out var t) ? t : "";
                var sha1 = Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes(text)));
                var contentId = NotNull(await _s.LongAsync("INSERT INTO file_contents (created, updated, sha1, contents) VALUES (@now, @now, @sha1, @text) ON CONFLICT (sha1) DO UPDATE SET updated = file_contents.updated RETURNING id", ("now", _now), ("sha1", sha1), ("text", text)).ConfigureAwait(false));
                existing = NotNull(await _s.LongAsync("INSERT INTO files (created, updated, path, content_id, playbook_id) VALUES (@now, @now, @path, @contentId, @p) RETURNING id", ("now", _now), ("path", path), ("contentId", contentId), ("p", _playbook)).ConfigureAwait(false));
            }
            _files[path] = existing.Value;
            return existing.Value;
        }

        private (string Path, int Line) SplitTaskPath(string? taskPath)
        {
            if (string.IsNullOrEmpty(taskPath))
            {
                return (batch.Run.Path, 1);
            }
            var colon = taskPath.LastIndexOf(':');
            return colon > 0 && int.TryParse(taskPath.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var line)
                ? (taskPath[..colon], line)
                : (taskPath, 1);
        }

        /// <summary>The module result as ARA keeps it: without Ansible's internal <c>_ansible_*</c> keys.</summary>
        private static string WithoutInternalKeys(JsonElement res)
        {
            var hasInternal = false;
            foreach (var p in res.EnumerateObject())
            {
                if (p.Name.StartsWith("_ansible", StringComparison.Ordinal))
                {
                    hasInternal = true;
                    break;
                }
            }
            if (!hasInternal)
            {
                return Api.JsonText.Normalize(res);
            }
            var sb = new StringBuilder("{");
            foreach (var p in res.EnumerateObject())
            {
                if (p.Name.StartsWith("_ansible", StringComparison.Ordinal))
                {
                    continue;
                }
                if (sb.Length > 1)
                {
                    sb.Append(',');
                }
                using var key = JsonDocument.Parse(JsonSerializer.Serialize(p.Name));
                sb.Append(Api.JsonText.Normalize(key.RootElement)).Append(':').Append(Api.JsonText.Normalize(p.Value));
            }
            return sb.Append('}').ToString();
        }

        private static int Count(JsonElement data, string key, string host) =>
            data.TryGetProperty(key, out var map) && map.ValueKind == JsonValueKind.Object &&
            map.TryGetProperty(host, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt32() : 0;

        private static string? Str(JsonElement e, string name) =>
            e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

        /// <summary>The runner's naive-UTC timestamps (and ISO strings with an offset) as stored microseconds.</summary>
        private static long? Time(string? text) => string.IsNullOrEmpty(text) ? null : Clock.Parse(text);

        /// <summary>A field that a typed event keeps as "" when the JSON lacked it, as absent.</summary>
        private static string? NonEmpty(string s) => s.Length == 0 ? null : s;

        /// <summary>ARA stores uuids as 32 hex characters; Ansible's have an optional "_n" repeat suffix.</summary>
        private static string NormalUuid(string uuid) => uuid.Replace("-", "", StringComparison.Ordinal).ToLowerInvariant();

        private static string? Truncate(string? s) => s is { Length: > 1024 } ? s[..1024] : s;
    }
}

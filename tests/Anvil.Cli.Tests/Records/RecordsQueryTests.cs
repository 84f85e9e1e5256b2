using System.Text.Json;
using YamlDotNet.Serialization;

namespace Anvil.Cli.Tests.Records;

[Trait("Category", "Integration")]
public sealed class SqliteRecordsQueryTests(SqliteBackend backend) : RecordsQueryTests(backend), IClassFixture<SqliteBackend>;

[Collection(RecordsPostgresCollection.Name)]
[Trait("Category", "Integration")]
public sealed class PostgresRecordsQueryTests(PostgresBackend backend) : RecordsQueryTests(backend);

/// <summary>
/// The read commands (<c>list</c>, <c>show</c>, <c>metrics</c>) on real recorded runs: ok.yml, failed.yml and
/// changed.yml, recorded in that order by <c>anvil run</c> (see <see cref="RecordedRuns"/>). Every command in every
/// format, the filters, and the errors.
/// </summary>
[Trait("Category", "Integration")]
public abstract class RecordsQueryTests(IRecordsBackend backend)
{
    private protected Task<CliResult> Records(params string[] args) => Cli.RunAsync(["records", .. args, "--database", backend.Recorded]);

    private async Task<CliResult> Ok(params string[] args)
    {
        var r = await Records(args);
        Assert.True(r.Code == 0 && r.Err.Length == 0, $"anvil records {string.Join(' ', args)}: {r}");
        return r;
    }

    private async Task<JsonElement[]> Json(params string[] args) => (await Ok([.. args, "-f", "json"])).Json.EnumerateArray().ToArray();

    private async Task<JsonElement> JsonOne(params string[] args) => (await Ok([.. args, "-f", "json"])).Json;

    private async Task<long> PlaybookId(string file) =>
        (await Json("playbook", "list", "--path", file)).Single().GetProperty("id").GetInt64();

    private static long[] Ids(IEnumerable<JsonElement> items) => items.Select(i => i.GetProperty("id").GetInt64()).ToArray();

    private static string S(JsonElement e, string key) => e.GetProperty(key).GetString()!;

    private static long N(JsonElement e, string key) => e.GetProperty(key).GetInt64();

    [Fact]
    public async Task PlaybookList_Table_NewestFirstWithAFooter()
    {
        var r = await Ok("playbook", "list");
        var lines = r.Out.TrimEnd('\n').Split('\n');
        var rows = lines.Where(l => l.Contains(".yml", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, rows.Count);
        Assert.Contains("changed.yml", rows[0]);
        Assert.Matches(@"│\s*\d+\s*│\s*failed\s*│.*failed\.yml", rows[1]);
        Assert.Contains("ok.yml", rows[2]);
        foreach (var header in new[] { "id", "status", "path", "ansible_version", "tasks", "results", "hosts", "started", "duration" })
        {
            Assert.Matches($@"│ {header}\s", lines[1]);
        }
        Assert.DoesNotContain("│ labels", r.Out);
        Assert.Equal("3 playbooks", lines[^1]);
        // A table for people: times to the second, no escape codes when the output is not a terminal.
        Assert.Matches(@"│ \d{4}-\d\d-\d\d \d\d:\d\d:\d\d │", rows[0]);
        Assert.DoesNotContain("\u001b[", r.Out);
    }

    [Fact]
    public async Task PlaybookList_Filters_Order_Limit_Long()
    {
        Assert.Equal("failed", S((await Json("playbook", "list", "--status", "failed")).Single(), "status"));
        Assert.Single(await Json("playbook", "list", "--status", "failed", "--status", "running"));
        Assert.Equal(2, (await Json("playbook", "list", "--status", "completed")).Length);
        Assert.EndsWith("ok.yml", S((await Json("playbook", "list", "--label", "NIGHTLY")).Single(), "path"));
        Assert.EndsWith("ok.yml", S((await Json("playbook", "list", "--name", "blue")).Single(), "path"));
        Assert.Empty(await Json("playbook", "list", "--path", "nothing-like-this"));

        var all = await Json("playbook", "list");
        var first = all[0];
        Assert.Equal(3, (await Json("playbook", "list", "--user", S(first, "user"), "--controller", S(first, "controller"),
            "--ansible-version", S(first, "ansible_version"))).Length);
        Assert.Empty(await Json("playbook", "list", "--ansible-version", "0.0.1-never"));
        Assert.Empty(await Json("playbook", "list", "--python-version", "1.0-never"));
        Assert.Equal(3, (await Json("playbook", "list", "--client-version", "anvil")).Length);
        Assert.Equal(3, (await Json("playbook", "list", "--server-version", "1.")).Length);

        var ascending = await Json("playbook", "list", "--order", "started");
        Assert.Equal(Enumerable.Reverse(Ids(all)), Ids(ascending));
        Assert.EndsWith("ok.yml", S(ascending[0], "path"));

        var limited = await Json("playbook", "list", "--limit", "1");
        Assert.Equal(Ids(all).Take(1), Ids(limited));
        Assert.EndsWith("1 of 3 playbooks (--limit to see more)", (await Ok("playbook", "list", "--limit", "1")).Out.TrimEnd());

        Assert.False(first.TryGetProperty("name", out _));
        var ok = (await Json("playbook", "list", "--long", "--path", "ok.yml")).Single();
        Assert.Equal(RecordedRuns.Name, S(ok, "name"));
        Assert.Equal(["nightly"], ok.GetProperty("labels").EnumerateArray().Select(l => l.GetString()));
        Assert.Equal(1, N(ok, "plays"));
        Assert.Equal(1, N(ok, "files"));
        Assert.Equal(1, N(ok, "records"));
        Assert.NotNull(S(ok, "ended"));
    }

    [Fact]
    public async Task PlaybookList_Csv_IsRfc4180()
    {
        var r = await Ok("playbook", "list", "--long", "-f", "csv");
        Assert.EndsWith("\r\n", r.Out);
        Assert.DoesNotContain("\n", r.Out.Replace("\r\n", "", StringComparison.Ordinal));
        var records = ParseCsv(r.Out);
        Assert.Equal(4, records.Count);
        Assert.Equal(["id", "status", "name", "path", "labels", "controller", "user", "ansible_version", "plays", "tasks", "results",
            "hosts", "files", "records", "started", "ended", "duration"], records[0]);
        Assert.All(records, rec => Assert.Equal(records[0].Count, rec.Count));
        var ok = records.Single(rec => rec[3].EndsWith("ok.yml", StringComparison.Ordinal));
        Assert.Equal(RecordedRuns.Name, ok[2]);
        Assert.Equal("[\"nightly\"]", ok[4]);
        // The field with a comma and quotes is quoted, its quotes doubled.
        Assert.Contains(",\"deploy, \"\"blue\"\"\",", r.Out);
        var json = await Json("playbook", "list", "--long");
        Assert.Equal(json.Select(j => j.GetProperty("id").GetRawText()), records.Skip(1).Select(rec => rec[0]));
        Assert.Equal(json.Select(j => S(j, "started")), records.Skip(1).Select(rec => rec[14]));
    }

    [Fact]
    public async Task PlaybookList_Yaml_ReadsBackAsTheJson()
    {
        var yaml = (await Ok("playbook", "list", "--long", "-f", "yaml")).Out;
        var json = await Json("playbook", "list", "--long");
        var items = new DeserializerBuilder().Build().Deserialize<List<Dictionary<string, object?>>>(yaml);
        Assert.Equal(json.Length, items.Count);
        for (var i = 0; i < json.Length; i++)
        {
            Assert.Equal(json[i].EnumerateObject().Select(p => p.Name), items[i].Keys);
            foreach (var p in json[i].EnumerateObject())
            {
                AssertSame(p.Value, items[i][p.Name], p.Name);
            }
        }
        // YAML 1.1 readers would take these for a date and a base-60 number; they are quoted.
        Assert.Matches(@"\n  started: ""\d{4}-", yaml);
        Assert.Matches(@"\n  duration: ""\d\d:\d\d:", yaml);
    }

    /// <summary>A YAML value as YamlDotNet reads it without a schema (scalars as text) equals the JSON value.</summary>
    private static void AssertSame(JsonElement json, object? yaml, string where)
    {
        switch (json.ValueKind)
        {
            case JsonValueKind.Null:
                Assert.True(yaml is null, where);
                break;
            case JsonValueKind.Array:
                var list = Assert.IsType<List<object>>(yaml);
                Assert.Equal(json.GetArrayLength(), list.Count);
                for (var i = 0; i < list.Count; i++)
                {
                    AssertSame(json[i], list[i], where);
                }
                break;
            case JsonValueKind.Object:
                var map = Assert.IsType<Dictionary<object, object>>(yaml);
                foreach (var p in json.EnumerateObject())
                {
                    AssertSame(p.Value, map[p.Name], where + "." + p.Name);
                }
                break;
            case JsonValueKind.String:
                Assert.Equal(json.GetString(), yaml);
                break;
            default:
                Assert.Equal(json.GetRawText(), yaml);
                break;
        }
    }

    [Fact]
    public async Task PlaybookShow_EveryFormat()
    {
        var id = await PlaybookId("ok.yml");
        var table = (await Ok("playbook", "show", id.ToString())).Out;
        Assert.Matches(@"│ field\s+│ value", table);
        Assert.Matches(@"│ status\s+│ completed", table);
        Assert.Matches(@"│ labels\s+│ nightly", table);
        Assert.Matches(@"│ arguments\s+│ \{""command"":\[""ansible-playbook""", table);

        var json = await JsonOne("playbook", "show", id.ToString());
        Assert.Equal(id, N(json, "id"));
        Assert.Equal(RecordedRuns.Name, S(json, "name"));
        Assert.Equal("ok", S(json.GetProperty("arguments"), "ident"));
        Assert.Equal(1, N(json, "tasks"));
        Assert.Equal(JsonValueKind.String, json.GetProperty("python_version").ValueKind);

        var yaml = new DeserializerBuilder().Build().Deserialize<Dictionary<string, object?>>((await Ok("playbook", "show", id.ToString(), "-f", "yaml")).Out);
        Assert.Equal(json.EnumerateObject().Select(p => p.Name), yaml.Keys);
        foreach (var p in json.EnumerateObject())
        {
            AssertSame(p.Value, yaml[p.Name], p.Name);
        }

        var csv = ParseCsv((await Ok("playbook", "show", id.ToString(), "-f", "csv")).Out);
        Assert.Equal(2, csv.Count);
        Assert.Equal(json.EnumerateObject().Select(p => p.Name), csv[0]);
        Assert.Equal(RecordedRuns.Name, csv[1][2]);
        Assert.Equal("ok", JsonDocument.Parse(csv[1][^1]).RootElement.GetProperty("ident").GetString());
    }

    [Theory]
    [InlineData("playbook")]
    [InlineData("play")]
    [InlineData("task")]
    [InlineData("host")]
    [InlineData("result")]
    [InlineData("record")]
    [InlineData("file")]
    public async Task Show_Missing_ExitsOneNamingIt(string noun)
    {
        var r = await Records(noun, "show", "987654", "-f", "json");
        Assert.Equal(1, r.Code);
        Assert.Equal("", r.Out);
        Assert.Equal($"anvil: error: {noun} 987654 not found\n", r.Err);
    }

    public static TheoryData<string, string> ListsAndFormats()
    {
        var data = new TheoryData<string, string>();
        foreach (var list in new[] { "playbook list", "play list", "task list", "host list", "host list --latest", "host metrics",
                     "result list", "record list", "file list" })
        {
            foreach (var format in new[] { "table", "json", "csv", "yaml" })
            {
                data.Add(list, format);
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(ListsAndFormats))]
    public async Task EveryList_InEveryFormat(string list, string format)
    {
        var args = list.Split(' ');
        var expected = await Json(args);
        Assert.NotEmpty(expected);
        var r = await Ok([.. args, "-f", format]);
        switch (format)
        {
            case "json":
                Assert.Equal(expected.Select(e => e.GetRawText()), r.Json.EnumerateArray().Select(e => e.GetRawText()));
                break;
            case "csv":
                var csv = ParseCsv(r.Out);
                Assert.Equal(expected.Length + 1, csv.Count);
                Assert.Equal(expected[0].EnumerateObject().Select(p => p.Name), csv[0]);
                break;
            case "yaml":
                var yaml = new DeserializerBuilder().Build().Deserialize<List<Dictionary<string, object?>>>(r.Out);
                Assert.Equal(expected.Length, yaml.Count);
                for (var i = 0; i < yaml.Count; i++)
                {
                    foreach (var p in expected[i].EnumerateObject())
                    {
                        AssertSame(p.Value, yaml[i][p.Name], p.Name);
                    }
                }
                break;
            default:
                var lines = r.Out.TrimEnd('\n').Split('\n');
                Assert.StartsWith("┌", lines[0]);
                Assert.Equal(expected.Length + 5, lines.Length); // top, header, rule, rows, bottom, footer
                Assert.Matches(@"^\d+ \w+", lines[^1]);
                break;
        }
    }

    public static TheoryData<string, string> ShowsAndFormats()
    {
        var data = new TheoryData<string, string>();
        foreach (var noun in new[] { "playbook", "play", "task", "host", "result", "record", "file" })
        {
            foreach (var format in new[] { "table", "json", "csv", "yaml" })
            {
                data.Add(noun, format);
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(ShowsAndFormats))]
    public async Task EveryShow_InEveryFormat(string noun, string format)
    {
        var id = N((await Json(noun, "list", "--limit", "1")).Single(), "id").ToString();
        var json = await JsonOne(noun, "show", id);
        Assert.Equal(id, json.GetProperty("id").GetRawText());
        var r = await Ok(noun, "show", id, "-f", format);
        switch (format)
        {
            case "json":
                Assert.Equal(json.GetRawText(), r.Json.GetRawText());
                break;
            case "csv":
                var csv = ParseCsv(r.Out);
                Assert.Equal(2, csv.Count);
                Assert.Equal(json.EnumerateObject().Select(p => p.Name), csv[0]);
                Assert.Equal(id, csv[1][0]);
                break;
            case "yaml":
                var yaml = new DeserializerBuilder().Build().Deserialize<Dictionary<string, object?>>(r.Out);
                foreach (var p in json.EnumerateObject())
                {
                    AssertSame(p.Value, yaml[p.Name], p.Name);
                }
                break;
            default:
                foreach (var p in json.EnumerateObject())
                {
                    Assert.Matches($@"│ {p.Name}\s+│", r.Out);
                }
                Assert.Matches($@"│ id\s+│ {id}\s", r.Out);
                break;
        }
    }

    [Fact]
    public async Task Plays_ListFiltersResolveAndShow()
    {
        var ok = await PlaybookId("ok.yml");
        var play = (await Json("play", "list", "--playbook", ok.ToString())).Single();
        Assert.Equal("ok", S(play, "name"));
        Assert.Equal("completed", S(play, "status"));
        Assert.Equal(ok, N(play, "playbook"));
        Assert.False(play.TryGetProperty("uuid", out _));
        Assert.Equal("failed", S((await Json("play", "list", "--name", "fail")).Single(), "name"));
        Assert.Equal(3, (await Json("play", "list", "--status", "completed")).Length);
        Assert.Empty(await Json("play", "list", "--status", "running"));

        var resolved = (await Json("play", "list", "--playbook", ok.ToString(), "--resolve", "--long")).Single();
        Assert.Equal(RecordedRuns.Name, S(resolved, "playbook"));
        var uuid = S(resolved, "uuid");
        Assert.Equal(N(play, "id"), N((await Json("play", "list", "--uuid", uuid)).Single(), "id"));

        var shown = await JsonOne("play", "show", N(play, "id").ToString());
        Assert.Equal(ok, N(shown, "playbook"));
        Assert.EndsWith("ok.yml", S(shown, "playbook_path"));
        Assert.Equal(uuid, S(shown, "uuid"));
        Assert.Equal(1, N(shown, "tasks"));
    }

    [Fact]
    public async Task Tasks_ListFiltersResolveAndShow()
    {
        var failed = await PlaybookId("failed.yml");
        var task = (await Json("task", "list", "--playbook", failed.ToString())).Single();
        Assert.Equal("failing task", S(task, "name"));
        Assert.Equal("failed", S(task, "status"));
        Assert.Equal("ansible.builtin.fail", S(task, "action"));
        Assert.Equal(N(task, "id"), N((await Json("task", "list", "--status", "failed")).Single(), "id"));
        Assert.Equal("changed task", S((await Json("task", "list", "--action", "ANSIBLE.BUILTIN.COMMAND")).Single(), "name"));
        Assert.Equal("changed task", S((await Json("task", "list", "--path", "changed.yml")).Single(), "name"));
        Assert.Equal(3, (await Json("task", "list", "--name", "task")).Length);
        Assert.Empty(await Json("task", "list", "--uuid", Guid.NewGuid().ToString()));

        var resolved = (await Json("task", "list", "--playbook", failed.ToString(), "--long", "--resolve")).Single();
        Assert.EndsWith("failed.yml", S(resolved, "playbook"));
        Assert.Equal("failed", S(resolved, "play"));
        Assert.EndsWith("failed.yml", S(resolved, "path"));
        Assert.Equal(6, N(resolved, "lineno"));
        Assert.False(resolved.GetProperty("handler").GetBoolean());

        var shown = await JsonOne("task", "show", N(task, "id").ToString());
        Assert.Equal("failed", S(shown, "play_name"));
        Assert.Equal(failed, N(shown, "playbook"));
        Assert.Equal(1, N(shown, "results"));
        Assert.True(N(shown, "file") > 0);
    }

    [Fact]
    public async Task Hosts_ListLatestCountersShowAndMetrics()
    {
        var hosts = await Json("host", "list");
        Assert.Equal(3, hosts.Length);
        Assert.All(hosts, h => Assert.Equal("localhost", S(h, "name")));
        var changed = await PlaybookId("changed.yml");
        var failed = await PlaybookId("failed.yml");

        var latest = (await Json("host", "list", "--latest")).Single();
        Assert.Equal(changed, N(latest, "playbook"));
        Assert.Equal(hosts.Single(h => N(h, "playbook") == changed).GetRawText(), latest.GetRawText());

        Assert.Equal(failed, N((await Json("host", "list", "--with-failed")).Single(), "playbook"));
        Assert.Equal(2, (await Json("host", "list", "--without-failed")).Length);
        Assert.Equal(changed, N((await Json("host", "list", "--with-changed")).Single(), "playbook"));
        Assert.Equal(2, (await Json("host", "list", "--without-changed")).Length);
        Assert.Empty(await Json("host", "list", "--with-unreachable"));
        Assert.Equal(3, (await Json("host", "list", "--without-unreachable", "--name", "LOCAL")).Length);
        Assert.Single(await Json("host", "list", "--playbook", failed.ToString()));
        Assert.Matches(@"│\s*\d+\s*│ localhost │ .*failed\.yml", (await Ok("host", "list", "--with-failed", "--resolve", "--long")).Out);

        var id = N(hosts[0], "id").ToString();
        var shown = await JsonOne("host", "show", id);
        Assert.False(shown.TryGetProperty("facts", out _));
        Assert.Equal(JsonValueKind.Object, (await JsonOne("host", "show", id, "--with-facts")).GetProperty("facts").ValueKind);

        var metrics = (await Json("host", "metrics")).Single();
        Assert.Equal("localhost", S(metrics, "name"));
        Assert.Equal(3, N(metrics, "playbooks"));
        foreach (var counter in new[] { "ok", "changed", "failed", "skipped", "unreachable" })
        {
            Assert.Equal(hosts.Sum(h => N(h, counter)), N(metrics, counter));
        }
        Assert.Equal(1, N(metrics, "failed"));
        Assert.Equal(1, N(metrics, "changed"));
        Assert.Equal(1, N((await Json("host", "metrics", "--with-failed")).Single(), "playbooks"));
        Assert.Equal("1 host from 3 host rows", (await Ok("host", "metrics")).Out.TrimEnd().Split('\n')[^1]);
    }

    [Fact]
    public async Task Results_StatusesFlagsResolveAndShow()
    {
        var all = await Json("result", "list");
        Assert.Equal(3, all.Length);
        Assert.Equal(["changed", "failed", "ok"], all.Select(r => S(r, "status")));
        Assert.Equal("failed", S((await Json("result", "list", "--status", "failed")).Single(), "status"));
        Assert.Equal("changed", S((await Json("result", "list", "--status", "changed")).Single(), "status"));
        Assert.Equal("changed", S((await Json("result", "list", "--changed")).Single(), "status"));
        // As in ARA's API, "ok" is the stored status, which changed results have too.
        Assert.Equal(2, (await Json("result", "list", "--status", "ok")).Length);
        Assert.Empty(await Json("result", "list", "--status", "ignored"));
        Assert.Empty(await Json("result", "list", "--ignore-errors"));

        var failedResult = (await Json("result", "list", "--status", "failed", "--long", "--resolve")).Single();
        Assert.Equal("failing task", S(failedResult, "task"));
        Assert.Equal("localhost", S(failedResult, "host"));
        Assert.Equal("failed", S(failedResult, "play"));
        Assert.EndsWith("failed.yml", S(failedResult, "playbook"));
        Assert.False(failedResult.GetProperty("ignore_errors").GetBoolean());

        var raw = (await Json("result", "list", "--status", "failed")).Single();
        foreach (var (option, key) in new[] { ("--playbook", "playbook"), ("--task", "task"), ("--host", "host") })
        {
            Assert.Equal(N(raw, "id"), N((await Json("result", "list", option, N(raw, key).ToString())).Single(), "id"));
        }
        var shown = await JsonOne("result", "show", N(raw, "id").ToString());
        Assert.False(shown.TryGetProperty("content", out _));
        Assert.Equal("failing task", S(shown, "task_name"));
        Assert.Equal("localhost", S(shown, "host_name"));
        var content = (await JsonOne("result", "show", N(raw, "id").ToString(), "--with-content")).GetProperty("content");
        Assert.Equal("boom", S(content, "msg"));

        var mixed = await Records("result", "list", "--status", "changed", "--status", "ok");
        Assert.Equal(1, mixed.Code);
        Assert.Equal("anvil: error: --status changed and --status ignored cannot be combined with other statuses\n", mixed.Err);
    }

    [Fact]
    public async Task RecordsAndFiles_ListAndShow()
    {
        var ok = await PlaybookId("ok.yml");
        var record = (await Json("record", "list")).Single();
        Assert.Equal("build", S(record, "key"));
        Assert.Equal("text", S(record, "type"));
        Assert.Equal(ok, N(record, "playbook"));
        Assert.Single(await Json("record", "list", "--key", "build", "--playbook", ok.ToString()));
        Assert.Empty(await Json("record", "list", "--key", "buil"));
        Assert.Equal(RecordedRuns.Name, S((await Json("record", "list", "--resolve")).Single(), "playbook"));
        var shownRecord = await JsonOne("record", "show", N(record, "id").ToString());
        Assert.Equal("1.2.3", S(shownRecord, "value"));
        Assert.EndsWith("ok.yml", S(shownRecord, "playbook_path"));

        Assert.Equal(3, (await Json("file", "list")).Length);
        var file = (await Json("file", "list", "--playbook", ok.ToString())).Single();
        Assert.EndsWith("ok.yml", S(file, "path"));
        Assert.EndsWith("failed.yml", S((await Json("file", "list", "--path", "failed")).Single(), "path"));
        Assert.Matches("^[0-9a-f]{40}$", S((await Json("file", "list", "--playbook", ok.ToString(), "--long")).Single(), "sha1"));
        var shownFile = await JsonOne("file", "show", N(file, "id").ToString());
        Assert.Contains("name: ok task", S(shownFile, "content"));
        var table = (await Ok("file", "show", N(file, "id").ToString())).Out;
        Assert.Matches(@"│ content\s+│ ---\s+│", table);
        Assert.Matches(@"\n│\s+│\s+- name: ok task\s+│", table);
    }

    [Fact]
    public async Task BadInput_OneLineAndTheRightExitCode()
    {
        var r = await Records("playbook", "list", "--order", "bogus");
        Assert.Equal(1, r.Code);
        Assert.Equal("anvil: error: order: Select a valid choice. bogus is not one of the available choices.\n", r.Err);

        r = await Records("task", "list", "--uuid", "not-a-uuid");
        Assert.Equal(1, r.Code);
        Assert.Equal("anvil: error: uuid: Enter a valid UUID.\n", r.Err);

        r = await Records("playbook", "list", "--server", "http://127.0.0.1:9");
        Assert.Equal(1, r.Code);
        Assert.Equal("anvil: error: --server and --database cannot be used together\n", r.Err);

        foreach (var args in new[]
                 {
                     new[] { "playbook", "list", "--limit", "0" },
                     ["play", "list", "--status", "bogus"],
                     ["playbook", "show", "abc"],
                     ["playbook", "list", "-f", "xml"],
                     ["playbook", "prune", "--days", "-1"],
                     ["playbook", "list", "--no-such-option"],
                 })
        {
            r = await Records(args);
            Assert.True(r.Code == 2, $"{string.Join(' ', args)}: {r}");
            Assert.StartsWith("anvil: error: ", r.Err);
            Assert.Equal("", r.Out);
        }
    }

    [Fact]
    public async Task ServerThatDoesNotAnswer_ExitsOneNamingIt()
    {
        // Port 9 (discard) on loopback: nothing listens, the connection is refused at once.
        var r = await Cli.RunAsync("records", "playbook", "list", "--server", "http://127.0.0.1:9");
        Assert.Equal(1, r.Code);
        Assert.StartsWith("anvil: error: cannot reach http://127.0.0.1:9: ", r.Err);
        Assert.Single(r.Err.TrimEnd('\n').Split('\n'));

        r = await Cli.RunAsync("records", "playbook", "list", "--server", "ftp://127.0.0.1/");
        Assert.Equal(1, r.Code);
        Assert.Equal("anvil: error: --server must be an http:// or https:// URL (got 'ftp://127.0.0.1/')\n", r.Err);

        r = await Cli.RunAsync("records", "playbook", "list", "--server", "http://alice:pw-Secret@127.0.0.1:9");
        Assert.Equal(1, r.Code);
        Assert.DoesNotContain("pw-Secret", r.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ServerThatIsNoRecordsApi_ExitsOneSayingSo()
    {
        // Some other web site at the --server address: a 200 with HTML.
        var port = Ports.Free();
        using var listener = new System.Net.HttpListener();
        listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        listener.Start();
        var serving = Task.Run(async () =>
        {
            var context = await listener.GetContextAsync();
            var page = "<html><body>hello</body></html>"u8.ToArray();
            context.Response.ContentType = "text/html";
            await context.Response.OutputStream.WriteAsync(page);
            context.Response.Close();
        });
        var r = await Cli.RunAsync("records", "playbook", "list", "--server", $"http://127.0.0.1:{port}");
        await serving;
        Assert.Equal(1, r.Code);
        Assert.StartsWith($"anvil: error: http://127.0.0.1:{port} did not answer as a records API does: ", r.Err);
        Assert.Single(r.Err.TrimEnd('\n').Split('\n'));
    }

    [Theory]
    [InlineData("records", "playbook")]
    [InlineData("records playbook", "prune")]
    [InlineData("records playbook list", "--label")]
    [InlineData("records playbook show", "ID")]
    [InlineData("records playbook delete", "--server")]
    [InlineData("records playbook prune", "--confirm")]
    [InlineData("records playbook expire", "--hours")]
    [InlineData("records play list", "--uuid")]
    [InlineData("records play show", "--database")]
    [InlineData("records task list", "--action")]
    [InlineData("records task show", "-f, --format")]
    [InlineData("records host list", "--with-failed")]
    [InlineData("records host show", "--with-facts")]
    [InlineData("records host metrics", "--without-unreachable")]
    [InlineData("records result list", "--ignore-errors")]
    [InlineData("records result show", "--with-content")]
    [InlineData("records record list", "--key")]
    [InlineData("records record show", "--timeout")]
    [InlineData("records file list", "--path")]
    [InlineData("records file show", "ID")]
    [InlineData("records prune", "--days")]
    [InlineData("records expire", "--confirm")]
    public async Task Help_OnEveryCommand(string command, string mentions)
    {
        var r = await Cli.RunAsync([.. command.Split(' '), "--help"]);
        Assert.Equal(0, r.Code);
        Assert.Contains(mentions, r.Out);
    }

    /// <summary>RFC 4180 records: fields separated by commas, optionally quoted (quotes doubled inside), CRLF-ended.</summary>
    private static List<List<string>> ParseCsv(string text)
    {
        var records = new List<List<string>>();
        var fields = new List<string>();
        var field = new System.Text.StringBuilder();
        var i = 0;
        while (i < text.Length)
        {
            if (text[i] == '"')
            {
                i++;
                while (true)
                {
                    if (text[i] == '"' && i + 1 < text.Length && text[i + 1] == '"')
                    {
                        field.Append('"');
                        i += 2;
                    }
                    else if (text[i] == '"')
                    {
                        i++;
                        break;
                    }
                    else
                    {
                        field.Append(text[i++]);
                    }
                }
            }
            else if (text[i] == ',')
            {
                fields.Add(field.ToString());
                field.Clear();
                i++;
            }
            else if (text[i] == '\r' && text[i + 1] == '\n')
            {
                fields.Add(field.ToString());
                field.Clear();
                records.Add(fields);
                fields = [];
                i += 2;
            }
            else
            {
                field.Append(text[i++]);
            }
        }
        Assert.Empty(fields);
        return records;
    }
}

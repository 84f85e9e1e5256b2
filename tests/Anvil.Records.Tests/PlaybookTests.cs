using System.Globalization;
using Anvil.Data;

namespace Anvil.Records.Tests;

/// <summary>Playbooks and labels: write semantics, validation, filters, ordering, deletion.</summary>
public abstract class PlaybookTests(PostgresFixture? postgres) : ApiTestBase(postgres)
{
    [Fact]
    public async Task Create_FillsInArasDefaultsInTheWriteShape()
    {
        var before = Clock.NowMicros(TimeProvider.System);
        var reply = await Post("/api/v1/playbooks", new { ansible_version = "2.14.18", path = "/srv/site.yml" });
        Assert.Equal(201, reply.Status);
        Assert.Equal(["id", "arguments", "labels", "created", "updated", "started", "ended", "duration", "name", "ansible_version",
            "client_version", "python_version", "server_version", "status", "path", "controller", "user"],
            reply.Json.EnumerateObject().Select(p => p.Name));
        Assert.Equal("{}", reply["arguments"].GetRawText());
        Assert.Equal("[]", reply["labels"].GetRawText());
        Assert.Equal("localhost", reply["controller"].GetString());
        Assert.Equal("unknown", reply["status"].GetString());
        Assert.Equal("1.7.4", reply["server_version"].GetString());
        foreach (var field in new[] { "ended", "duration", "name", "client_version", "python_version", "user" })
        {
            Assert.Equal("null", reply[field].GetRawText());
        }
        var started = Clock.Parse(reply["started"].GetString()!)!.Value;
        Assert.InRange(started, before, Clock.NowMicros(TimeProvider.System));
    }

    [Fact]
    public async Task Labels_AreGetOrCreatedByNameAndAPatchReplacesThem()
    {
        var first = await Post("/api/v1/playbooks", new { ansible_version = "2", path = "/a.yml", labels = new[] { "b", "a", "b" } });
        Assert.Equal("[{\"id\":1,\"name\":\"b\"},{\"id\":2,\"name\":\"a\"}]", first["labels"].GetRawText());
        var second = await Post("/api/v1/playbooks", new { ansible_version = "2", path = "/b.yml", labels = new[] { "c", "a" } });
        Assert.Equal("[{\"id\":2,\"name\":\"a\"},{\"id\":3,\"name\":\"c\"}]", second["labels"].GetRawText());
        var id = first["id"].GetInt64();

        var patched = await Patch($"/api/v1/playbooks/{id}", new { labels = new[] { "c" } });
        Assert.Equal(200, patched.Status);
        Assert.Equal("[{\"id\":3,\"name\":\"c\"}]", patched["labels"].GetRawText());
        var put = await Put($"/api/v1/playbooks/{id}", new { ansible_version = "3", path = "/a.yml" });
        Assert.Equal(200, put.Status);
        Assert.Equal("[{\"id\":3,\"name\":\"c\"}]", put["labels"].GetRawText());
        Assert.Equal("[{\"id\":3,\"name\":\"c\"}]", (await Get($"/api/v1/playbooks/{id}"))["labels"].GetRawText());

        Assert.Equal([second["id"].GetInt64()], await ListIds("/api/v1/playbooks?label=A"));
        Assert.Equal([second["id"].GetInt64(), id], await ListIds("/api/v1/playbooks?label=C"));
        Assert.Empty(await ListIds("/api/v1/playbooks?label=b"));
        Assert.Equal(3, (await Get("/api/v1/labels"))["count"].GetInt32());
    }

    [Fact]
    public async Task MissingRequiredFields_AreAllNamed()
    {
        AssertError(await Post("/api/v1/playbooks", new { }),
            "{\"ansible_version\":[\"This field is required.\"],\"path\":[\"This field is required.\"]}");
        AssertError(await Send("POST", "/api/v1/playbooks", ""),
            "{\"ansible_version\":[\"This field is required.\"],\"path\":[\"This field is required.\"]}");
        var id = await Create("playbooks", new { ansible_version = "2", path = "/a.yml" });
        AssertError(await Put($"/api/v1/playbooks/{id}", new { name = "x" }),
            "{\"ansible_version\":[\"This field is required.\"],\"path\":[\"This field is required.\"]}");
        var patched = await Patch($"/api/v1/playbooks/{id}", new { });
        Assert.Equal(200, patched.Status);
        Assert.Equal("/a.yml", patched["path"].GetString());
        Assert.Equal(1, (await Get("/api/v1/playbooks"))["count"].GetInt32());
    }

    [Fact]
    public async Task BadValues_NameTheirFieldAndNothingIsStored()
    {
        AssertError(await Send("POST", "/api/v1/playbooks", "{\"ansible_version\":null,\"path\":\"  \"}"),
            "{\"ansible_version\":[\"This field may not be null.\"],\"path\":[\"This field may not be blank.\"]}");
        AssertError(await Send("POST", "/api/v1/playbooks", "{\"ansible_version\":{\"a\":1},\"path\":[1],\"name\":true}"),
            "{\"name\":[\"Not a valid string.\"],\"ansible_version\":[\"Not a valid string.\"],\"path\":[\"Not a valid string.\"]}");
        AssertError(await Post("/api/v1/playbooks", new { ansible_version = "2", path = "/p", started = "2024-01-01", ended = 5 }),
            "{\"started\":[\"Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].\"]," +
            "\"ended\":[\"Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].\"]}");
        AssertError(await Post("/api/v1/playbooks", new { ansible_version = "2", path = "/p", status = "bogus" }),
            "{\"status\":[\"\\\"bogus\\\" is not a valid choice.\"]}");
        AssertError(await Post("/api/v1/playbooks", new { ansible_version = "2", path = "/p", labels = "x" }),
            "{\"labels\":[\"Expected a list of items but got type \\\"str\\\".\"]}");
        AssertError(await Send("POST", "/api/v1/playbooks", "{\"ansible_version\":\"2\",\"path\":\"/p\",\"labels\":[{\"a\":1}]}"),
            "{\"labels\":[\"Invalid value.\"]}");
        AssertError(await Post("/api/v1/playbooks", new { ansible_version = "2", path = "/p", duration = "soon" }),
            "{\"duration\":[\"Duration has wrong format. Use one of these formats instead: [DD] [HH:[MM:]]ss[.uuuuuu].\"]}");
        AssertError(await Post("/api/v1/playbooks", new { ansible_version = "2", path = "/p", started = (string?)null }),
            "{\"started\":[\"This field may not be null.\"]}");
        Assert.Equal(0, (await Get("/api/v1/playbooks"))["count"].GetInt32());
        Assert.Equal(0, (await Get("/api/v1/labels"))["count"].GetInt32());

        // Numbers are text to a string field (as DRF's CharField); strings are trimmed.
        var ok = await Send("POST", "/api/v1/playbooks", "{\"ansible_version\":2.14,\"path\":\"  /p.yml \",\"name\":5}");
        Assert.Equal(201, ok.Status);
        Assert.Equal("2.14", ok["ansible_version"].GetString());
        Assert.Equal("/p.yml", ok["path"].GetString());
        Assert.Equal("5", ok["name"].GetString());
    }

    [Fact]
    public async Task MalformedBodies_Are400s()
    {
        var broken = await Send("POST", "/api/v1/playbooks", "{\"ansible_version\": \"2\", \"path\": }");
        Assert.Equal(400, broken.Status);
        Assert.StartsWith("JSON parse error - ", broken["detail"].GetString(), StringComparison.Ordinal);
        Assert.Equal(["detail"], broken.Json.EnumerateObject().Select(p => p.Name));
        AssertError(await Send("POST", "/api/v1/playbooks", "[1,2]"),
            "{\"non_field_errors\":[\"Invalid data. Expected a dictionary, but got list.\"]}");
        AssertError(await Send("POST", "/api/v1/playbooks", "\"text\""),
            "{\"non_field_errors\":[\"Invalid data. Expected a dictionary, but got str.\"]}");
        AssertError(await Send("POST", "/api/v1/playbooks", "null"), "{\"non_field_errors\":[\"No data provided\"]}");
        var id = await Create("playbooks", new { ansible_version = "2", path = "/a.yml" });
        Assert.Equal(400, (await Send("PATCH", $"/api/v1/playbooks/{id}", "{'name': 'x'}")).Status);
    }

    [Fact]
    public async Task Duration_IsEndedMinusStartedAndAWrittenOneIsIgnored()
    {
        var id = await Create("playbooks", new { ansible_version = "2", path = "/a.yml", started = "2024-01-01T00:00:00Z", duration = "00:05:00" });
        var created = await Get($"/api/v1/playbooks/{id}");
        Assert.Equal("null", created["duration"].GetRawText());
        var ended = await Patch($"/api/v1/playbooks/{id}", new { ended = "2024-01-02T01:02:03.000004+00:00", duration = "00:00:01" });
        Assert.Equal("2024-01-02T01:02:03.000004Z", ended["ended"].GetString());
        Assert.Equal("1 01:02:03.000004", ended["duration"].GetString());
        var naive = await Patch($"/api/v1/playbooks/{id}", new { started = "2024-01-02T01:00:00", ended = "2024-01-02T03:00:00-01:00" });
        Assert.Equal("2024-01-02T01:00:00Z", naive["started"].GetString());
        Assert.Equal("2024-01-02T04:00:00Z", naive["ended"].GetString());
        Assert.Equal("03:00:00", naive["duration"].GetString());
        var reopened = await Patch($"/api/v1/playbooks/{id}", new { ended = (string?)null });
        Assert.Equal("null", reopened["duration"].GetRawText());
    }

    [Fact]
    public async Task Items_CountEveryChildOfEachPlaybook()
    {
        var a = await CreateTreeAsync("/a.yml", "h1");
        await Create("records", new { playbook = a.Playbook, key = "k", value = 1, type = "json" });
        await Create("hosts", new { playbook = a.Playbook, name = "h2" });
        var b = await CreateTreeAsync("/b.yml", "h1");
        await Create("results", new { playbook = b.Playbook, play = b.Play, task = b.Task, host = b.Host });
        var list = await Get("/api/v1/playbooks");
        var items = list["results"].EnumerateArray().ToDictionary(p => p.GetProperty("id").GetInt64(), p => p.GetProperty("items").GetRawText());
        Assert.Equal("{\"plays\":1,\"tasks\":1,\"results\":1,\"hosts\":2,\"files\":1,\"records\":1}", items[a.Playbook]);
        Assert.Equal("{\"plays\":1,\"tasks\":1,\"results\":2,\"hosts\":1,\"files\":1,\"records\":0}", items[b.Playbook]);
        Assert.Equal(items[b.Playbook], (await Get($"/api/v1/playbooks/{b.Playbook}"))["items"].GetRawText());
    }

    [Fact]
    public async Task EveryPlaybookFilter_SelectsWhatAraSelects()
    {
        var a = await Create("playbooks", new
        {
            ansible_version = "2.14.18",
            client_version = "1.7.4",
            python_version = "3.11.2",
            server_version = "1.7.4",
            path = "/srv/Deploy.yml",
            name = "Deploy Web",
            controller = "ctl-One",
            user = "Alice",
            status = "completed",
            started = "2024-01-01T00:00:00Z",
            ended = "2024-01-01T00:10:00Z",
        });
        var b = await Create("playbooks", new
        {
            ansible_version = "2.15.0",
            client_version = "1.6.0",
            python_version = "3.9.1",
            server_version = "1.6.1",
            path = "/srv/backup.yml",
            name = "backup",
            controller = "ctl-two",
            user = "bob",
            status = "failed",
            started = "2024-02-01T00:00:00Z",
        });
        var c = await Create("playbooks", new { ansible_version = "2.16", path = "/x.yml", status = "running", started = "2024-03-01T00:00:00Z" });

        Assert.Equal([a], await ListIds("/api/v1/playbooks?ansible_version=2.14"));
        Assert.Equal([a], await ListIds("/api/v1/playbooks?client_version=1.7"));
        Assert.Equal([b], await ListIds("/api/v1/playbooks?server_version=1.6"));
        Assert.Equal([b], await ListIds("/api/v1/playbooks?python_version=3.9"));
        Assert.Equal([a], await ListIds("/api/v1/playbooks?user=ALICE"));
        Assert.Equal([b, a], await ListIds("/api/v1/playbooks?controller=CTL"));
        Assert.Equal([a], await ListIds("/api/v1/playbooks?name=deploy%20w"));
        Assert.Equal([b, a], await ListIds("/api/v1/playbooks?path=/srv/"));
        Assert.Equal([c, b, a], await ListIds("/api/v1/playbooks?path="));
        Assert.Equal([b, a], await ListIds("/api/v1/playbooks?status=completed&status=failed"));
        Assert.Equal([c], await ListIds("/api/v1/playbooks?status=running"));
        Assert.Equal([b, a], await ListIds("/api/v1/playbooks?started_before=2024-02-01T00:00:00Z"));
        Assert.Equal([c, b], await ListIds("/api/v1/playbooks?started_after=2024-02-01T00:00:00%2B00:00"));
        Assert.Equal([a], await ListIds("/api/v1/playbooks?ended_before=2024-01-01T00:10:00Z"));
        Assert.Empty(await ListIds("/api/v1/playbooks?ended_after=2024-01-01T00:10:00.000001Z"));
        var now = DateTimeOffset.UtcNow.AddMinutes(1).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        Assert.Equal([c, b, a], await ListIds($"/api/v1/playbooks?created_before={now}&updated_before={now}"));
        Assert.Empty(await ListIds($"/api/v1/playbooks?created_after={now}"));
        Assert.Empty(await ListIds($"/api/v1/playbooks?updated_after={now}"));
        Assert.Equal([c, b, a], await ListIds("/api/v1/playbooks?unknown=1&changed=yes"));
    }

    [Fact]
    public async Task InvalidFilterValues_AreReportedPerFieldInDeclarationOrder()
    {
        AssertError(await Get("/api/v1/playbooks?status=bogus"),
            "{\"status\":[\"Select a valid choice. bogus is not one of the available choices.\"]}");
        AssertError(await Get("/api/v1/playbooks?status=completed&status=Failed"),
            "{\"status\":[\"Select a valid choice. Failed is not one of the available choices.\"]}");
        AssertError(await Get("/api/v1/playbooks?created_after=2024-01-01"),
            "{\"created_after\":[\"Enter a valid date/time.\"]}");
        AssertError(await Get("/api/v1/playbooks?order=name&ended_before=soon&started_after=x&status=no"),
            "{\"started_after\":[\"Enter a valid date/time.\"],\"ended_before\":[\"Enter a valid date/time.\"]," +
            "\"status\":[\"Select a valid choice. no is not one of the available choices.\"]," +
            "\"order\":[\"Select a valid choice. name is not one of the available choices.\"]}");
    }

    [Fact]
    public async Task EveryOrderField_SortsBothWays()
    {
        var a = await Create("playbooks", new { ansible_version = "2", path = "/a", started = "2024-01-03T00:00:00Z", ended = "2024-01-03T00:00:05Z" });
        var b = await Create("playbooks", new { ansible_version = "2", path = "/b", started = "2024-01-01T00:00:00Z", ended = "2024-01-01T00:01:00Z" });
        var c = await Create("playbooks", new { ansible_version = "2", path = "/c", started = "2024-01-02T00:00:00Z" });
        await Patch($"/api/v1/playbooks/{a}", new { name = "touched" });

        Assert.Equal([c, b, a], await ListIds("/api/v1/playbooks"));
        Assert.Equal([a, b, c], await ListIds("/api/v1/playbooks?order=id"));
        Assert.Equal([c, b, a], await ListIds("/api/v1/playbooks?order=-id"));
        Assert.Equal([a, b, c], await ListIds("/api/v1/playbooks?order=created"));
        Assert.Equal([b, c, a], await ListIds("/api/v1/playbooks?order=updated"));
        Assert.Equal([a, c, b], await ListIds("/api/v1/playbooks?order=-updated"));
        Assert.Equal([b, c, a], await ListIds("/api/v1/playbooks?order=started"));
        Assert.Equal([a, c, b], await ListIds("/api/v1/playbooks?order=-started"));
        // NULL sorts first ascending and last descending, as on ARA's SQLite, on both databases.
        Assert.Equal([c, b, a], await ListIds("/api/v1/playbooks?order=ended"));
        Assert.Equal([a, b, c], await ListIds("/api/v1/playbooks?order=-ended"));
        Assert.Equal([c, a, b], await ListIds("/api/v1/playbooks?order=duration"));
        Assert.Equal([b, a, c], await ListIds("/api/v1/playbooks?order=-duration"));
        // Comma lists: a later key breaks the ties of an earlier one.
        var d = await Create("playbooks", new { ansible_version = "2", path = "/d", started = "2024-01-01T00:00:00Z" });
        Assert.Equal([d, b, c, a], await ListIds("/api/v1/playbooks?order=started,-id"));
        Assert.Equal([b, d, c, a], await ListIds("/api/v1/playbooks?order=started,id"));
        Assert.Equal([a, c, b, d], await ListIds("/api/v1/playbooks?order=-started,-ended"));
        AssertError(await Get("/api/v1/playbooks?order=-path"),
            "{\"order\":[\"Select a valid choice. -path is not one of the available choices.\"]}");
    }

    [Fact]
    public async Task DeletingAPlaybook_RemovesItsChildrenAndMovesLatestHostsBack()
    {
        var old = await CreateTreeAsync("/old.yml", "web1");
        var kept = await Create("records", new { playbook = old.Playbook, key = "k", type = "text" });
        var newer = await CreateTreeAsync("/new.yml", "web1");
        await Create("hosts", new { playbook = newer.Playbook, name = "only-new" });
        Assert.Equal(newer.Host, (await Get("/api/v1/latesthosts/web1"))["host"].GetProperty("id").GetInt64());

        Assert.Equal(204, (await Delete($"/api/v1/playbooks/{newer.Playbook}")).Status);
        foreach (var path in new[] { $"playbooks/{newer.Playbook}", $"plays/{newer.Play}", $"tasks/{newer.Task}", $"hosts/{newer.Host}",
                     $"results/{newer.Result}", $"files/{newer.File}", "latesthosts/only-new" })
        {
            Assert.Equal(404, (await Get("/api/v1/" + path)).Status);
        }
        Assert.Equal(old.Host, (await Get("/api/v1/latesthosts/web1"))["host"].GetProperty("id").GetInt64());
        Assert.Equal(200, (await Get($"/api/v1/records/{kept}")).Status);
        Assert.Equal(1, (await Get("/api/v1/results"))["count"].GetInt32());
        Assert.Equal(404, (await Delete($"/api/v1/playbooks/{newer.Playbook}")).Status);
    }

    [Fact]
    public async Task Labels_AreUniqueSharedRows()
    {
        var label = await Post("/api/v1/labels", new { name = "standalone" });
        Assert.Equal(201, label.Status);
        Assert.Equal(["id", "created", "updated", "name"], label.Json.EnumerateObject().Select(p => p.Name));
        AssertError(await Post("/api/v1/labels", new { name = "standalone" }), "{\"name\":[\"label with this name already exists.\"]}");
        AssertError(await Post("/api/v1/labels", new { }), "{\"name\":[\"This field is required.\"]}");
        var playbook = await Post("/api/v1/playbooks", new { ansible_version = "2", path = "/p", labels = new[] { "standalone", "other" } });
        var id = label["id"].GetInt64();
        var renamed = await Put($"/api/v1/labels/{id}", new { name = "renamed" });
        Assert.Equal(200, renamed.Status);
        Assert.Equal("renamed", renamed["name"].GetString());
        AssertError(await Patch($"/api/v1/labels/{id}", new { name = "other" }), "{\"name\":[\"label with this name already exists.\"]}");
        var same = await Patch($"/api/v1/labels/{id}", new { name = "renamed" });
        Assert.Equal(200, same.Status);
        Assert.Contains("\"name\":\"renamed\"", (await Get($"/api/v1/playbooks/{playbook["id"]}")).Text, StringComparison.Ordinal);
        Assert.Equal(same.Text, (await Get($"/api/v1/labels/{id}")).Text);
        Assert.Equal([id, id + 1], await ListIds("/api/v1/labels"));
        Assert.Equal([id + 1, id], await ListIds("/api/v1/labels?order=-id"));
        Assert.Equal([id + 1, id], await ListIds("/api/v1/labels?order=-created"));
        Assert.Equal([id + 1, id], await ListIds("/api/v1/labels?order=updated"));
        Assert.Empty(await ListIds("/api/v1/labels?created_after=2999-01-01T00:00:00Z"));
        Assert.Equal(2, (await ListIds("/api/v1/labels?updated_before=2999-01-01T00:00:00Z")).Length);
        AssertError(await Get("/api/v1/labels?order=name"), "{\"order\":[\"Select a valid choice. name is not one of the available choices.\"]}");
        Assert.Equal(204, (await Delete($"/api/v1/labels/{id}")).Status);
        Assert.Equal("[{\"id\":" + (id + 1) + ",\"name\":\"other\"}]", (await Get($"/api/v1/playbooks/{playbook["id"]}"))["labels"].GetRawText());
    }
}

public sealed class PlaybookTestsOnSqlite() : PlaybookTests(null);

[Collection("postgres")]
public sealed class PlaybookTestsOnPostgres(PostgresFixture postgres) : PlaybookTests(postgres);

namespace Anvil.Records.Tests;

/// <summary>Plays and tasks: uuids, references, filters, ordering and the nested detail shapes.</summary>
public abstract class PlayTaskTests(PostgresFixture? postgres) : ApiTestBase(postgres)
{
    [Fact]
    public async Task Uuids_AreAcceptedInPythonsFormsAndAnsweredDashed()
    {
        var playbook = await Create("playbooks", new { ansible_version = "2", path = "/p" });
        string[] forms =
        [
            "02FC0000-0001-E833-E832-000000000001", "02fc00000001e833e832000000000002", "{02fc0000-0001-e833-e832-000000000003}",
            "urn:uuid:02fc0000-0001-e833-e832-000000000004",
        ];
        var ids = new List<long>();
        for (var i = 0; i < forms.Length; i++)
        {
            var reply = await Post("/api/v1/plays", new { playbook, uuid = forms[i] });
            Assert.Equal(201, reply.Status);
            Assert.Equal($"02fc0000-0001-e833-e832-00000000000{i + 1}", reply["uuid"].GetString());
            ids.Add(reply["id"].GetInt64());
        }
        Assert.Equal([ids[1]], await ListIds("/api/v1/plays?uuid=02FC0000-0001-E833-E832-000000000002"));
        Assert.Equal([ids[0]], await ListIds("/api/v1/plays?uuid=02fc00000001e833e832000000000001"));
        AssertError(await Get("/api/v1/plays?uuid=not-a-uuid"), "{\"uuid\":[\"Enter a valid UUID.\"]}");
        AssertError(await Get("/api/v1/tasks?uuid=1234"), "{\"uuid\":[\"Enter a valid UUID.\"]}");
        AssertError(await Post("/api/v1/plays", new { playbook, uuid = "xyz" }), "{\"uuid\":[\"Must be a valid UUID.\"]}");
        AssertError(await Post("/api/v1/plays", new { playbook }), "{\"uuid\":[\"This field is required.\"]}");
    }

    [Fact]
    public async Task References_MustExistAndBeIds()
    {
        var tree = await CreateTreeAsync();
        AssertError(await Post("/api/v1/plays", new { playbook = 999, uuid = Guid.NewGuid() }),
            "{\"playbook\":[\"Invalid pk \\\"999\\\" - object does not exist.\"]}");
        AssertError(await Post("/api/v1/plays", new { playbook = "abc", uuid = Guid.NewGuid() }),
            "{\"playbook\":[\"Incorrect type. Expected pk value, received str.\"]}");
        AssertError(await Send("POST", "/api/v1/plays", "{\"playbook\":true,\"uuid\":\"" + Guid.NewGuid() + "\"}"),
            "{\"playbook\":[\"Incorrect type. Expected pk value, received bool.\"]}");
        AssertError(await Post("/api/v1/tasks", new { playbook = tree.Playbook, play = 77, file = 78, action = "x", lineno = 1, handler = false }),
            "{\"play\":[\"Invalid pk \\\"77\\\" - object does not exist.\"],\"file\":[\"Invalid pk \\\"78\\\" - object does not exist.\"]}");
        // A numeric string is an id, as in DRF.
        Assert.Equal(201, (await Post("/api/v1/plays", new { playbook = tree.Playbook.ToString(System.Globalization.CultureInfo.InvariantCulture), uuid = Guid.NewGuid() })).Status);
    }

    [Fact]
    public async Task Tasks_ValidateEveryField()
    {
        var tree = await CreateTreeAsync();
        AssertError(await Post("/api/v1/tasks", new { }),
            "{\"action\":[\"This field is required.\"],\"lineno\":[\"This field is required.\"],\"handler\":[\"This field is required.\"]," +
            "\"play\":[\"This field is required.\"],\"file\":[\"This field is required.\"],\"playbook\":[\"This field is required.\"]}");
        AssertError(await Post("/api/v1/tasks", new { playbook = tree.Playbook, play = tree.Play, file = tree.File, action = "x", lineno = "ten", handler = "maybe", status = "ok" }),
            "{\"lineno\":[\"A valid integer is required.\"],\"handler\":[\"Must be a valid boolean.\"],\"status\":[\"\\\"ok\\\" is not a valid choice.\"]}");
        AssertError(await Post("/api/v1/tasks", new { playbook = tree.Playbook, play = tree.Play, file = tree.File, action = "x", lineno = 3000000000L, handler = false }),
            "{\"lineno\":[\"Ensure this value is less than or equal to 2147483647.\"]}");
        var ok = await Post("/api/v1/tasks", new { playbook = tree.Playbook, play = tree.Play, file = tree.File, action = " debug ", lineno = "12", handler = "yes", name = "" });
        Assert.Equal(201, ok.Status);
        Assert.Equal(["id", "tags", "created", "updated", "started", "ended", "duration", "name", "uuid", "action", "lineno", "handler", "status",
            "play", "file", "playbook"], ok.Json.EnumerateObject().Select(p => p.Name));
        Assert.Equal("[]", ok["tags"].GetRawText());
        Assert.Equal("debug", ok["action"].GetString());
        Assert.Equal(12, ok["lineno"].GetInt32());
        Assert.True(ok["handler"].GetBoolean());
        Assert.Equal("", ok["name"].GetString());
        Assert.Equal("unknown", ok["status"].GetString());
        Assert.Equal("null", ok["uuid"].GetRawText());
    }

    [Fact]
    public async Task TaskFilters_SelectWhatAraSelects()
    {
        var a = await CreateTreeAsync("/srv/Alpha.yml");
        var b = await CreateTreeAsync("/srv/beta.yml");
        await Patch($"/api/v1/playbooks/{a.Playbook}", new { name = "Alpha run" });
        var uuid = Guid.NewGuid();
        var handler = await Create("tasks", new
        {
            playbook = b.Playbook,
            play = b.Play,
            file = b.File,
            name = "Restart Service",
            action = "Ansible.Builtin.Service",
            lineno = 40,
            handler = true,
            status = "failed",
            uuid,
            tags = new[] { "x" },
            started = "2024-06-01T00:00:00Z",
            ended = "2024-06-01T00:00:01Z",
        });

        Assert.Equal([handler, b.Task], await ListIds($"/api/v1/tasks?playbook={b.Playbook}"));
        Assert.Equal([a.Task], await ListIds("/api/v1/tasks?playbook_name=alpha%20R"));
        Assert.Equal([handler, b.Task], await ListIds("/api/v1/tasks?playbook_path=BETA"));
        Assert.Equal([handler, b.Task], await ListIds($"/api/v1/tasks?play={b.Play}"));
        Assert.Equal([handler], await ListIds("/api/v1/tasks?status=failed&status=expired"));
        Assert.Equal([handler], await ListIds("/api/v1/tasks?name=restart"));
        Assert.Equal([handler], await ListIds($"/api/v1/tasks?uuid={uuid:N}"));
        Assert.Equal([handler], await ListIds("/api/v1/tasks?action=ansible.builtin.service"));
        Assert.Empty(await ListIds("/api/v1/tasks?action=service"));
        Assert.Equal([handler, b.Task, a.Task], await ListIds("/api/v1/tasks?path=.YML"));
        Assert.Equal([a.Task], await ListIds("/api/v1/tasks?path=alpha"));
        Assert.Equal([handler], await ListIds("/api/v1/tasks?lineno=40"));
        Assert.Equal([handler], await ListIds("/api/v1/tasks?handler=true"));
        Assert.Equal([handler], await ListIds("/api/v1/tasks?handler=True"));
        Assert.Equal([b.Task, a.Task], await ListIds("/api/v1/tasks?handler=false"));
        Assert.Equal([handler, b.Task, a.Task], await ListIds("/api/v1/tasks?handler=1"));
        Assert.Equal([handler], await ListIds("/api/v1/tasks?ended_after=2024-06-01T00:00:00Z"));
        Assert.Equal([b.Task, a.Task], await ListIds("/api/v1/tasks?started_before=2024-05-01T00:00:00Z"));
        AssertError(await Get("/api/v1/tasks?lineno=forty&play=x&playbook=1.5.1"),
            "{\"playbook\":[\"Enter a number.\"],\"play\":[\"Enter a number.\"],\"lineno\":[\"Enter a number.\"]}");
        Assert.Empty(await ListIds($"/api/v1/tasks?playbook={b.Playbook}.5"));
        Assert.Equal([handler, b.Task], await ListIds($"/api/v1/tasks?playbook={b.Playbook}.0"));
        AssertError(await Get("/api/v1/tasks?status=ok"), "{\"status\":[\"Select a valid choice. ok is not one of the available choices.\"]}");
        AssertError(await Get("/api/v1/tasks?order=name"), "{\"order\":[\"Select a valid choice. name is not one of the available choices.\"]}");
        Assert.Equal([a.Task, b.Task, handler], await ListIds("/api/v1/tasks?order=id"));
        Assert.Equal([handler, b.Task, a.Task], await ListIds("/api/v1/tasks?order=-duration"));
        Assert.Equal([a.Task, b.Task, handler], await ListIds("/api/v1/tasks?order=duration"));
    }

    [Fact]
    public async Task TaskListItemAndDetail_HaveArasShapes()
    {
        var tree = await CreateTreeAsync();
        var item = (await Get("/api/v1/tasks"))["results"][0];
        Assert.Equal(["id", "items", "path", "tags", "play", "created", "updated", "started", "ended", "duration", "name", "uuid", "action",
            "lineno", "handler", "status", "file", "playbook"], item.EnumerateObject().Select(p => p.Name));
        Assert.Equal("{\"results\":1}", item.GetProperty("items").GetRawText());
        Assert.Equal("/srv/site.yml", item.GetProperty("path").GetString());
        var detail = await Get($"/api/v1/tasks/{tree.Task}");
        Assert.Equal(["id", "items", "path", "playbook", "play", "file", "tags", "created", "updated", "started", "ended", "duration", "name",
            "uuid", "action", "lineno", "handler", "status"], detail.Json.EnumerateObject().Select(p => p.Name));
        Assert.Equal(["id", "items", "started", "ended", "duration", "name", "status"], detail["play"].EnumerateObject().Select(p => p.Name));
        Assert.Equal($"{{\"id\":{tree.File},\"sha1\":\"cc6bc51d200550b3b6b7e44896db5a0e3f8377a5\",\"path\":\"/srv/site.yml\"}}", detail["file"].GetRawText());
        Assert.Equal(["id", "items", "arguments", "labels", "started", "ended", "duration", "name", "ansible_version", "client_version",
            "python_version", "server_version", "status", "path", "controller", "user"], detail["playbook"].EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public async Task Play_ListDetailAndFilters()
    {
        var tree = await CreateTreeAsync();
        var other = await Create("plays", new
        {
            playbook = tree.Playbook,
            uuid = Guid.NewGuid(),
            name = "Second Play",
            status = "completed",
            started = "2023-01-01T00:00:00Z",
            ended = "2023-01-01T00:00:10Z"
        });
        var item = (await Get($"/api/v1/plays?playbook={tree.Playbook}"))["results"][1];
        Assert.Equal(["id", "items", "playbook", "created", "updated", "started", "ended", "duration", "name", "uuid", "status"],
            item.EnumerateObject().Select(p => p.Name));
        Assert.Equal("{\"tasks\":1,\"results\":1}", item.GetProperty("items").GetRawText());
        var detail = await Get($"/api/v1/plays/{other}");
        Assert.Equal(["id", "items", "playbook", "created", "updated", "started", "ended", "duration", "name", "uuid", "status"],
            detail.Json.EnumerateObject().Select(p => p.Name));
        Assert.Equal(tree.Playbook, detail["playbook"].GetProperty("id").GetInt64());
        Assert.Equal("00:00:10", detail["duration"].GetString());
        Assert.Equal([other], await ListIds("/api/v1/plays?name=second&status=completed"));
        Assert.Equal([tree.Play], await ListIds("/api/v1/plays?status=unknown"));
        Assert.Equal([other], await ListIds("/api/v1/plays?started_before=2023-06-01T00:00:00Z"));
        Assert.Equal([tree.Play, other], await ListIds("/api/v1/plays?order=-started"));
        Assert.Equal([other, tree.Play], await ListIds("/api/v1/plays?order=-ended"));
        AssertError(await Get("/api/v1/plays?status=failed"), "{\"status\":[\"Select a valid choice. failed is not one of the available choices.\"]}");
        var written = await Patch($"/api/v1/plays/{other}", new { status = "expired", name = (string?)null });
        Assert.Equal(["id", "created", "updated", "started", "ended", "duration", "name", "uuid", "status", "playbook"],
            written.Json.EnumerateObject().Select(p => p.Name));
        Assert.Equal("null", written["name"].GetRawText());
        Assert.Equal(204, (await Delete($"/api/v1/plays/{tree.Play}")).Status);
        Assert.Equal(404, (await Get($"/api/v1/tasks/{tree.Task}")).Status);
        Assert.Equal(404, (await Get($"/api/v1/results/{tree.Result}")).Status);
    }
}

public sealed class PlayTaskTestsOnSqlite() : PlayTaskTests(null);

[Collection("postgres")]
public sealed class PlayTaskTestsOnPostgres(PostgresFixture postgres) : PlayTaskTests(postgres);

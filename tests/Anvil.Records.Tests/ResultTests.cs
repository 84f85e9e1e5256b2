namespace Anvil.Records.Tests;

/// <summary>Results: status rewriting, delegation, filters on stored values.</summary>
public abstract class ResultTests(PostgresFixture? postgres) : ApiTestBase(postgres)
{
    [Fact]
    public async Task Status_IsRewrittenOnReadButStoredAndWrittenAsSent()
    {
        var tree = await CreateTreeAsync();
        var changed = await Post("/api/v1/results", new { playbook = tree.Playbook, play = tree.Play, task = tree.Task, host = tree.Host, status = "ok", changed = true });
        Assert.Equal(201, changed.Status);
        Assert.Equal("ok", changed["status"].GetString());
        Assert.Equal(["id", "content", "delegated_to", "created", "updated", "started", "ended", "duration", "status", "changed",
            "ignore_errors", "host", "task", "play", "playbook"], changed.Json.EnumerateObject().Select(p => p.Name));
        var ignored = await Create("results", new { playbook = tree.Playbook, play = tree.Play, task = tree.Task, host = tree.Host, status = "failed", ignore_errors = true });
        var failed = await Create("results", new { playbook = tree.Playbook, play = tree.Play, task = tree.Task, host = tree.Host, status = "failed" });
        var changedId = changed["id"].GetInt64();

        var list = await Get("/api/v1/results");
        var statuses = list["results"].EnumerateArray().ToDictionary(r => r.GetProperty("id").GetInt64(), r => r.GetProperty("status").GetString());
        Assert.Equal("changed", statuses[changedId]);
        Assert.Equal("ignored", statuses[ignored]);
        Assert.Equal("failed", statuses[failed]);
        Assert.Equal("ok", statuses[tree.Result]);
        Assert.Equal("changed", (await Get($"/api/v1/results/{changedId}"))["status"].GetString());
        Assert.Equal("ignored", (await Get($"/api/v1/results/{ignored}"))["status"].GetString());
        Assert.Equal("ok", (await Patch($"/api/v1/results/{changedId}", new { content = new { msg = "x" } }))["status"].GetString());

        Assert.Equal([changedId, tree.Result], await ListIds("/api/v1/results?status=ok"));
        Assert.Equal([failed, ignored], await ListIds("/api/v1/results?status=failed"));
        Assert.Equal([changedId], await ListIds("/api/v1/results?changed=true"));
        Assert.Equal([failed, ignored, tree.Result], await ListIds("/api/v1/results?changed=FALSE"));
        Assert.Equal([ignored], await ListIds("/api/v1/results?ignore_errors=true"));
        Assert.Equal(4, (await ListIds("/api/v1/results?ignore_errors=yes")).Length);
        AssertError(await Get("/api/v1/results?status=changed"),
            "{\"status\":[\"Select a valid choice. changed is not one of the available choices.\"]}");
        AssertError(await Post("/api/v1/results", new { playbook = tree.Playbook, play = tree.Play, task = tree.Task, host = tree.Host, status = "changed" }),
            "{\"status\":[\"\\\"changed\\\" is not a valid choice.\"]}");
    }

    [Fact]
    public async Task Required_FieldsAndTypes()
    {
        AssertError(await Post("/api/v1/results", new { }),
            "{\"host\":[\"This field is required.\"],\"task\":[\"This field is required.\"],\"play\":[\"This field is required.\"],\"playbook\":[\"This field is required.\"]}");
        var tree = await CreateTreeAsync();
        AssertError(await Send("POST", "/api/v1/results",
                $"{{\"playbook\":{tree.Playbook},\"play\":{tree.Play},\"task\":{tree.Task},\"host\":{tree.Host},\"changed\":\"perhaps\",\"ignore_errors\":null,\"delegated_to\":5}}"),
            "{\"delegated_to\":[\"Expected a list of items but got type \\\"int\\\".\"],\"changed\":[\"Must be a valid boolean.\"],\"ignore_errors\":[\"This field may not be null.\"]}");
        AssertError(await Post("/api/v1/results", new { playbook = tree.Playbook, play = tree.Play, task = tree.Task, host = tree.Host, delegated_to = new[] { 424242 } }),
            "{\"delegated_to\":[\"Object with id=424242 does not exist.\"]}");
        var minimal = await Post("/api/v1/results", new { playbook = tree.Playbook, play = tree.Play, task = tree.Task, host = tree.Host });
        Assert.Equal("{}", minimal["content"].GetRawText());
        Assert.Equal("unknown", minimal["status"].GetString());
        Assert.False(minimal["changed"].GetBoolean());
        Assert.Equal("[]", minimal["delegated_to"].GetRawText());
    }

    [Fact]
    public async Task DelegatedHosts_AreWrittenListedFilteredAndNested()
    {
        var tree = await CreateTreeAsync();
        var db = await Create("hosts", new { playbook = tree.Playbook, name = "db1" });
        var cache = await Create("hosts", new { playbook = tree.Playbook, name = "cache1" });
        var result = await Post("/api/v1/results", new { playbook = tree.Playbook, play = tree.Play, task = tree.Task, host = tree.Host, delegated_to = new[] { cache, db, cache } });
        Assert.Equal($"[{db},{cache}]", result["delegated_to"].GetRawText());
        var id = result["id"].GetInt64();
        var item = (await Get("/api/v1/results"))["results"][0];
        Assert.Equal(["id", "status", "playbook", "play", "task", "host", "delegated_to", "created", "updated", "started", "ended", "duration",
            "changed", "ignore_errors"], item.EnumerateObject().Select(p => p.Name));
        Assert.Equal($"[{db},{cache}]", item.GetProperty("delegated_to").GetRawText());
        Assert.Equal([id], await ListIds($"/api/v1/results?delegated_to={db}"));
        Assert.Empty(await ListIds($"/api/v1/results?delegated_to={tree.Host}"));

        var detail = await Get($"/api/v1/results/{id}");
        Assert.Equal(["id", "status", "playbook", "play", "task", "host", "delegated_to", "content", "created", "updated", "started", "ended",
            "duration", "changed", "ignore_errors"], detail.Json.EnumerateObject().Select(p => p.Name));
        Assert.Equal($"[{{\"id\":{db},\"name\":\"db1\",\"changed\":0,\"failed\":0,\"ok\":0,\"skipped\":0,\"unreachable\":0}}," +
            $"{{\"id\":{cache},\"name\":\"cache1\",\"changed\":0,\"failed\":0,\"ok\":0,\"skipped\":0,\"unreachable\":0}}]", detail["delegated_to"].GetRawText());
        Assert.Equal(["id", "items", "path", "tags", "started", "ended", "duration", "name", "uuid", "action", "lineno", "handler", "status", "file"],
            detail["task"].EnumerateObject().Select(p => p.Name));

        var patched = await Patch($"/api/v1/results/{id}", new { delegated_to = new[] { cache } });
        Assert.Equal($"[{cache}]", patched["delegated_to"].GetRawText());
        Assert.Equal($"[{cache}]", (await Patch($"/api/v1/results/{id}", new { status = "skipped" }))["delegated_to"].GetRawText());
        Assert.Equal(204, (await Delete($"/api/v1/hosts/{cache}")).Status);
        Assert.Equal("[]", (await Get($"/api/v1/results/{id}"))["delegated_to"].GetRawText());
    }

    [Fact]
    public async Task ResultFilters_SelectWhatAraSelects()
    {
        var a = await CreateTreeAsync("/a.yml", "Web1");
        var b = await CreateTreeAsync("/b.yml", "web10", "failed");
        await Patch($"/api/v1/tasks/{b.Task}", new { name = "Install Packages" });
        var late = await Create("results", new
        {
            playbook = b.Playbook,
            play = b.Play,
            task = b.Task,
            host = b.Host,
            status = "skipped",
            started = "2024-03-01T00:00:00Z",
            ended = "2024-03-01T00:01:00Z"
        });

        Assert.Equal([late, b.Result], await ListIds($"/api/v1/results?playbook={b.Playbook}"));
        Assert.Equal([a.Result], await ListIds($"/api/v1/results?task={a.Task}"));
        Assert.Equal([late, b.Result], await ListIds("/api/v1/results?task_name=install%20p"));
        Assert.Equal([a.Result], await ListIds($"/api/v1/results?play={a.Play}"));
        Assert.Equal([late, b.Result], await ListIds($"/api/v1/results?host={b.Host}"));
        Assert.Equal([a.Result], await ListIds("/api/v1/results?host_name=WEB1"));
        Assert.Equal([late, b.Result], await ListIds($"/api/v1/results?playbook={b.Playbook}&status=skipped&status=failed"));
        Assert.Equal([late], await ListIds("/api/v1/results?started_after=2024-02-01T00:00:00Z"));
        Assert.Equal([late], await ListIds("/api/v1/results?ended_after=2024-02-01T00:00:00Z&ended_before=2024-03-01T00:01:00Z"));
        Assert.Equal([b.Result, a.Result], await ListIds("/api/v1/results?started_before=2024-02-01T00:00:00Z"));
        Assert.Equal([late, b.Result, a.Result], await ListIds("/api/v1/results?updated_after=2000-01-01T00:00:00Z&created_before=2999-01-01T00:00:00Z"));
        AssertError(await Get("/api/v1/results?host=web1&task=t&delegated_to=d&play=p&playbook=x"),
            "{\"playbook\":[\"Enter a number.\"],\"task\":[\"Enter a number.\"],\"play\":[\"Enter a number.\"],\"host\":[\"Enter a number.\"]," +
            "\"delegated_to\":[\"Enter a number.\"]}");

        Assert.Equal([a.Result, b.Result, late], await ListIds("/api/v1/results?order=id"));
        Assert.Equal([late, b.Result, a.Result], await ListIds("/api/v1/results?order=-duration"));
        Assert.Equal([a.Result, b.Result, late], await ListIds("/api/v1/results?order=duration"));
        Assert.Equal([late, b.Result, a.Result], await ListIds("/api/v1/results?order=-ended"));
        Assert.Equal([a.Result, b.Result, late], await ListIds("/api/v1/results?order=started,id"));
        Assert.Equal([late, b.Result, a.Result], await ListIds("/api/v1/results?order=-created"));
        Assert.Equal([a.Result, b.Result, late], await ListIds("/api/v1/results?order=updated"));
    }
}

public sealed class ResultTestsOnSqlite() : ResultTests(null);

[Collection("postgres")]
public sealed class ResultTestsOnPostgres(PostgresFixture postgres) : ResultTests(postgres);

using Anvil.Data;
using Anvil.Data.Migrations;
using Anvil.Records.Storage;
using Dapper;

namespace Anvil.Records.Tests;

/// <summary>
/// The <c>items</c> counts come from counters kept by triggers (migration 0002): after any mix of creates, moves and
/// deletes they must equal what COUNT(*) says, and the migration must fill them in for data recorded before it.
/// </summary>
public abstract class ItemCountTests(PostgresFixture? postgres) : ApiTestBase(postgres)
{
    [Fact]
    public async Task Counts_FollowEveryCreateMoveAndDelete()
    {
        var a = await CreateTreeAsync("/a.yml", "h1");
        var b = await CreateTreeAsync("/b.yml", "h2");
        var c = await CreateTreeAsync("/c.yml", "h3");
        var bPlay2 = await Create("plays", new { playbook = b.Playbook, uuid = Guid.NewGuid() });
        var extra = new List<long>();
        for (var i = 0; i < 4; i++)
        {
            extra.Add(await Create("results", new { playbook = a.Playbook, play = a.Play, task = a.Task, host = a.Host }));
        }
        await Create("records", new { playbook = a.Playbook, key = "k1", type = "t" });
        var record = await Create("records", new { playbook = a.Playbook, key = "k2", type = "t" });
        var host = await Create("hosts", new { playbook = a.Playbook, name = "h9" });
        var file = await Create("files", new { playbook = a.Playbook, path = "/inc.yml", content = "x" });
        await AssertCountsAsync();

        // Moves: a result to another task, play and playbook; a task to another play; children to another playbook.
        await Patch($"/api/v1/results/{extra[0]}", new { playbook = b.Playbook, play = bPlay2, task = b.Task });
        await Patch($"/api/v1/results/{extra[1]}", new { task = b.Task });
        await Put($"/api/v1/results/{extra[2]}", new { playbook = c.Playbook, play = c.Play, task = c.Task, host = c.Host });
        await Patch($"/api/v1/tasks/{b.Task}", new { play = bPlay2 });
        await Patch($"/api/v1/tasks/{c.Task}", new { playbook = a.Playbook });
        await Patch($"/api/v1/plays/{bPlay2}", new { playbook = c.Playbook });
        await Patch($"/api/v1/records/{record}", new { playbook = b.Playbook });
        await Patch($"/api/v1/hosts/{host}", new { playbook = c.Playbook });
        await Patch($"/api/v1/files/{file}", new { playbook = b.Playbook });
        await Patch($"/api/v1/results/{extra[3]}", new { status = "failed", content = new { } });
        await AssertCountsAsync();

        // Deletes, direct and cascaded.
        Assert.Equal(204, (await Delete($"/api/v1/results/{extra[3]}")).Status);
        Assert.Equal(204, (await Delete($"/api/v1/hosts/{c.Host}")).Status);
        Assert.Equal(204, (await Delete($"/api/v1/tasks/{a.Task}")).Status);
        Assert.Equal(204, (await Delete($"/api/v1/plays/{bPlay2}")).Status);
        Assert.Equal(204, (await Delete($"/api/v1/files/{b.File}")).Status);
        await AssertCountsAsync();
        Assert.Equal(204, (await Delete($"/api/v1/playbooks/{b.Playbook}")).Status);
        await AssertCountsAsync();
    }

    [Fact]
    public async Task TheMigration_CountsWhatWasRecordedBeforeIt()
    {
        var migrations = new Migrator(Database).Available();
        Assert.Equal("0002_item_counts", migrations.Single(m => m.Version == 2).Name);
        await using var c = await Database.OpenConnectionAsync();
        // Back to version 1 with data in it, then forward again.
        foreach (var table in new[] { "task_counts", "play_counts", "playbook_counts" })
        {
            await c.ExecuteAsync($"DROP TABLE {table}");
        }
        if (OnPostgres)
        {
            await c.ExecuteAsync("DROP FUNCTION anvil_count_playbook, anvil_count_play, anvil_count_task, anvil_count_result, " +
                "anvil_count_hosts, anvil_count_files, anvil_count_records CASCADE");
        }
        else
        {
            foreach (var trigger in await c.QueryAsync<string>("SELECT name FROM sqlite_master WHERE type = 'trigger'"))
            {
                await c.ExecuteAsync($"DROP TRIGGER {trigger}");
            }
        }
        await c.ExecuteAsync("DELETE FROM schema_migrations WHERE version = 2");
        await c.ExecuteAsync(
            """
            INSERT INTO playbooks (id, created, updated, started, ansible_version, server_version, path) VALUES (7, 1, 1, 1, '2', '1', '/p');
            INSERT INTO plays (id, created, updated, started, uuid, playbook_id) VALUES (3, 1, 1, 1, 'u', 7);
            INSERT INTO file_contents (id, created, updated, sha1, contents) VALUES (1, 1, 1, 's', 'x');
            INSERT INTO files (id, created, updated, path, content_id, playbook_id) VALUES (4, 1, 1, '/p', 1, 7);
            INSERT INTO tasks (id, created, updated, started, action, lineno, file_id, play_id, playbook_id) VALUES (5, 1, 1, 1, 'a', 1, 4, 3, 7);
            INSERT INTO hosts (id, created, updated, name, playbook_id) VALUES (6, 1, 1, 'h', 7);
            INSERT INTO results (created, updated, started, host_id, task_id, play_id, playbook_id) VALUES (1, 1, 1, 6, 5, 3, 7), (1, 1, 1, 6, 5, 3, 7);
            INSERT INTO records (created, updated, key, type, playbook_id) VALUES (1, 1, 'k', 't', 7);
            """);
        Assert.Equal([2], (await new Migrator(Database).MigrateAsync()).Select(m => m.Version));
        Assert.Equal("{\"plays\":1,\"tasks\":1,\"results\":2,\"hosts\":1,\"files\":1,\"records\":1}", (await Get("/api/v1/playbooks/7"))["items"].GetRawText());
        Assert.Equal("{\"tasks\":1,\"results\":2}", (await Get("/api/v1/plays/3"))["items"].GetRawText());
        Assert.Equal("{\"results\":2}", (await Get("/api/v1/tasks/5"))["items"].GetRawText());
        await AssertCountsAsync();
    }

    /// <summary>Every playbook's, play's and task's items, as listed, equal the rows counted directly.</summary>
    private async Task AssertCountsAsync()
    {
        await using var c = await Database.OpenConnectionAsync();
        foreach (var p in (await Get("/api/v1/playbooks?limit=1000"))["results"].EnumerateArray())
        {
            var id = p.GetProperty("id").GetInt64();
            var counted = new Dictionary<string, long>();
            foreach (var table in new[] { "plays", "tasks", "results", "hosts", "files", "records" })
            {
                counted[table] = await c.ExecuteScalarAsync<long>($"SELECT COUNT(*) FROM {table} WHERE playbook_id = @id", new { id });
            }
            Assert.Equal($"{{\"plays\":{counted["plays"]},\"tasks\":{counted["tasks"]},\"results\":{counted["results"]},\"hosts\":{counted["hosts"]}," +
                $"\"files\":{counted["files"]},\"records\":{counted["records"]}}}", p.GetProperty("items").GetRawText());
        }
        foreach (var play in (await Get("/api/v1/plays?limit=1000"))["results"].EnumerateArray())
        {
            var id = play.GetProperty("id").GetInt64();
            var tasks = await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM tasks WHERE play_id = @id", new { id });
            var results = await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM results WHERE play_id = @id", new { id });
            Assert.Equal($"{{\"tasks\":{tasks},\"results\":{results}}}", play.GetProperty("items").GetRawText());
        }
        foreach (var task in (await Get("/api/v1/tasks?limit=1000"))["results"].EnumerateArray())
        {
            var id = task.GetProperty("id").GetInt64();
            var results = await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM results WHERE task_id = @id", new { id });
            Assert.Equal($"{{\"results\":{results}}}", task.GetProperty("items").GetRawText());
        }
    }
}

public sealed class ItemCountTestsOnSqlite() : ItemCountTests(null);

[Collection("postgres")]
public sealed class ItemCountTestsOnPostgres(PostgresFixture postgres) : ItemCountTests(postgres);
